#include "host/engine/backend_select.hpp"

#include <stdexcept>

#include "host/core/error.hpp"

namespace cevns {

std::unique_ptr<Backend> select_backend(const std::string& name) {
  if (name == "cpu") return make_cpu_backend();
  if (name == "auto") return cuda_device_count() > 0 ? make_cuda_backend() : make_cpu_backend();
  if (name == "cuda") {
    try {
      return make_cuda_backend();
    } catch (const std::runtime_error& e) {
      throw InputError("--backend", "", std::string("cuda is not available: ") + e.what());
    }
  }
  throw InputError("--backend", "", "expected cpu, cuda or auto, got \"" + name + "\"");
}

}  // namespace cevns
