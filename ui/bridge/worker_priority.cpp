#include "ui/bridge/worker_priority.hpp"

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace harmonia::ui {

void lowerThisThreadPriority() {
#ifdef __linux__
  thread_local bool lowered = false;
  if (lowered) return;
  lowered = true;
  // On Linux a tid names one thread, so this leaves the GUI thread's priority alone. Nice 10
  // gives a worker about a tenth of the CPU weight of the GUI thread when both want to run.
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  const int current = getpriority(PRIO_PROCESS, tid);
  if (current < 10) setpriority(PRIO_PROCESS, tid, 10);
#endif
}

}  // namespace harmonia::ui
