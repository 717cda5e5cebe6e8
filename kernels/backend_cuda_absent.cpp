// Stands in for the CUDA backend in builds without nvcc.
#include <stdexcept>

#include "kernels/backend.hpp"

namespace cevns {

bool cuda_backend_built() { return false; }
int cuda_device_count() { return 0; }

std::unique_ptr<Backend> make_cuda_backend() {
  throw std::runtime_error(
      "this build has no CUDA backend (configure where nvcc is found, or with -DCEVNS_CUDA=ON)");
}

}  // namespace cevns
