// CUDA backend: the loops of backend_impl.inl on Thrust's CUDA system, compiled by nvcc.
#include <cuda_runtime.h>

#include <stdexcept>

#define CEVNS_BACKEND_NS cuda
#include "kernels/backend_impl.inl"

namespace cevns {

bool cuda_backend_built() { return true; }

int cuda_device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no device" error
    return 0;
  }
  return n;
}

std::unique_ptr<Backend> make_cuda_backend() {
  if (cuda_device_count() == 0)
    throw std::runtime_error("the CUDA backend was asked for, but no CUDA GPU is usable here");
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, 0);
  return std::make_unique<cuda::ThrustBackend>(std::string("cuda (") + prop.name + ")");
}

}  // namespace cevns
