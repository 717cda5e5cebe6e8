// CPU backend: the loops of backend_impl.inl on Thrust's OpenMP device system (set by the
// Thrust::OMP target in CMake), compiled by the host compiler.
#include <omp.h>

#define CEVNS_BACKEND_NS cpu
#include "kernels/backend_impl.inl"

namespace cevns {

std::unique_ptr<Backend> make_cpu_backend(std::size_t segment_points) {
  return std::make_unique<cpu::ThrustBackend>(
      "cpu (OpenMP, " + std::to_string(omp_get_max_threads()) + " threads)",
      segment_points == 0 ? 1 : segment_points);
}

}  // namespace cevns
