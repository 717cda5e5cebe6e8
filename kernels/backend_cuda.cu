// CUDA backend: the loops of backend_impl.inl on Thrust's CUDA system, compiled by nvcc. One grid
// point per thread (segments of one point). Every CUDA runtime call is checked; Thrust reports
// its own failures as thrust::system_error (a std::runtime_error).
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#define CEVNS_BACKEND_NS cuda
#include "kernels/backend_impl.inl"

namespace cevns {

namespace {

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess)
    throw std::runtime_error(std::string("CUDA: ") + what +
                             " failed: " + cudaGetErrorString(status));
}

}  // namespace

bool cuda_backend_built() { return true; }

int cuda_device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no device" error: no GPU is an answer, not a failure
    return 0;
  }
  return n;
}

std::unique_ptr<Backend> make_cuda_backend() {
  if (cuda_device_count() == 0)
    throw std::runtime_error("the CUDA backend was asked for, but no CUDA GPU is usable here");
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  return std::make_unique<cuda::ThrustBackend>(
      std::string("cuda (") + prop.name + ", device " + std::to_string(device) + ")", 1);
}

}  // namespace cevns
