// The scheduling priority of the calling thread, for work that should fill
// the time between an app's frames rather than take a core from one.
#pragma once

namespace aisb {

// Lowers the calling thread's scheduling priority (Linux: nice 10; elsewhere
// nothing). Threads it starts afterwards (libtorch's intra-op pool among
// them) inherit it. On two cores with a trainer on one, a worker lowered so
// took the frame-time p99 from 16-17 ms to 11-14 ms; the app's own trainer
// lowered so took the steel CNN's from 15-17.5 ms to 12-14.6 ms at the same
// training speed (the frames need little of the CPU, but need it at once).
void lower_this_threads_priority();

}  // namespace aisb
