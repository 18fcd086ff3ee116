#include "core/audio/alsa_error_silencer.hpp"

#include <dlfcn.h>

#include <mutex>

namespace harmonia::audio {
namespace {

// Same shape as alsa-lib's snd_lib_error_handler_t; looked up at run time so we need
// neither its headers nor a link dependency of our own.
extern "C" void ignore_alsa_error(const char*, int, const char*, int, const char*, ...) {}
using ErrorHandler = void (*)(const char*, int, const char*, int, const char*, ...);
using SetErrorHandler = int (*)(ErrorHandler);

}  // namespace

void silence_alsa_lib_errors() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (auto set = reinterpret_cast<SetErrorHandler>(dlsym(RTLD_DEFAULT, "snd_lib_error_set_handler"))) {
      set(&ignore_alsa_error);
    }
  });
}

}  // namespace harmonia::audio
