// The one interface behind which both backends sit. The CPU backend (Thrust's OpenMP system) and
// the CUDA backend compile the same loops, kernels/backend_impl.inl, from the same physics
// headers; this header names no Thrust or CUDA type, so host code never depends on either.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "kernels/couplings.hpp"
#include "kernels/rate_problem.hpp"

namespace cevns {

// Everything a scan of χ² over a grid needs, in host memory.
struct ScanInput {
  enum Evaluator { kQuadratic, kSterile, kDirect };

  // Grid.
  int n_axes = 1;
  ParameterId ids[2] = {};
  std::vector<double> axis[2];
  PhysicsModel base{};

  // Statistics (SPEC §7).
  std::vector<double> n_exp, n_bg;
  double sigma_alpha = 0.0, sigma_beta = 0.0;

  // Counts evaluator and its tables; efficiency is already folded into the factorised tables.
  Evaluator evaluator = kQuadratic;
  std::vector<Moments> quadratic_table;                // kQuadratic: [flux][bin]
  std::vector<double> unaffected, affected, depletion;  // kSterile
  int dm2_axis = -1;                                    // kSterile
  const RateProblem* rates = nullptr;                   // kDirect
  double efficiency = 1.0;                              // kDirect

  std::size_t n_points() const {
    return axis[0].size() * (n_axes == 2 ? axis[1].size() : std::size_t{1});
  }
  int n_bins() const { return static_cast<int>(n_exp.size()); }
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;

  // The three form-factor moments of every quadrature entry (the response tables, SPEC §9).
  virtual std::vector<Moments> entry_moments(const RateProblem& problem) = 0;

  // Direct path: counts per bin for each model, [model][bin], efficiency not applied.
  virtual std::vector<double> direct_counts(const RateProblem& problem,
                                            const std::vector<PhysicsModel>& models) = 0;

  // Sterile depletion table D[row][bin] for each Δm² (SPEC §9), from per-entry rates.
  virtual std::vector<double> sterile_depletion(const RateProblem& problem,
                                                const std::vector<double>& entry_rates,
                                                int channel, const std::vector<double>& dm2_eV2) = 0;

  // Profiled χ² of grid points [first, first + count) into out[0 .. count).
  virtual void scan_chi2(const ScanInput& input, std::size_t first, std::size_t count,
                         double* out) = 0;
};

std::unique_ptr<Backend> make_cpu_backend();

// The CUDA backend: nullptr-free — throws std::runtime_error when it was not built or no GPU is
// usable, with the reason.
std::unique_ptr<Backend> make_cuda_backend();
bool cuda_backend_built();
int cuda_device_count();  // 0 when not built or no GPU

}  // namespace cevns
