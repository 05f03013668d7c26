#include "core/thread_priority.hpp"

#if defined(_WIN32)
#include <windows.h>
#elif defined(__linux__)
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace aisb {

void lower_this_threads_priority() {
#if defined(__linux__)
  // setpriority with a thread id sets that thread's nice value alone.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
#elif defined(_WIN32)
  SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL);
#endif
}

void idle_this_thread() {
#if defined(__linux__)
  const sched_param none{};
  if (sched_setscheduler(0, SCHED_IDLE, &none) == 0) return;  // 0: the calling thread
#elif defined(_WIN32)
  if (SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_IDLE)) return;
#endif
  lower_this_threads_priority();
}

}  // namespace aisb
