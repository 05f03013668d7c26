// The scheduling priority of the calling thread, for work that should fill
// the time between an app's frames rather than take a core from one.
#pragma once

namespace aisb {

// Lowers the calling thread's scheduling priority (Linux: nice 10; Windows:
// below normal; elsewhere nothing). Threads it starts afterwards
// (libtorch's intra-op pool among them) inherit it. On two cores with a trainer on one, a worker lowered so
// took the frame-time p99 from 16-17 ms to 11-14 ms; the app's own trainer
// lowered so took the steel CNN's from 15-17.5 ms to 12-14.6 ms at the same
// training speed (the frames need little of the CPU, but need it at once).
void lower_this_threads_priority();

// Lets the calling thread run only on CPU time that no other thread wants
// (Linux: SCHED_IDLE; Windows: idle priority; elsewhere as
// lower_this_threads_priority): for work whose result only decorates a
// later frame, such as painting a picture.
// Such a thread never takes a core from a frame that is waking up: with
// the playground's map and link painters lowered to nice 10 only, the
// six-layer playground's drawing waited 4-6 ms at p99 for them (1.5 ms
// so), and the training ran 10% slower.
void idle_this_thread();

}  // namespace aisb
