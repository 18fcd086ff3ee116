// Background work must never compete with the GUI thread for a core: workers lower their own
// scheduling priority (a "nice" value per thread on Linux). Threads they start (LibTorch's
// OpenMP team, the trainer's helpers) inherit it. Qt-free, so the torch-side adapters can
// call it too.
#pragma once

namespace harmonia::ui {

// Lowers the calling thread's priority once; later calls on the same thread do nothing.
void lowerThisThreadPriority();

}  // namespace harmonia::ui
