// The compute backends behind one interface: a CPU backend (Thrust on OpenMP threads) and a CUDA
// backend (Thrust on the GPU), both compiled from kernels/backend_impl.inl, from the same physics
// headers; this header names no Thrust or CUDA type, so host code never depends on either.
//
// A grid is computed in two steps: prepare() uploads everything the grid needs once (axes,
// statistics, tables; the rate problem of the direct path once per detector), and the returned
// GridEvaluator computes any range of points, chunk after chunk, with nothing uploaded again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/couplings.hpp"
#include "kernels/parameters.hpp"
#include "kernels/random.hpp"
#include "kernels/rate_problem.hpp"
#include "kernels/scan_point.hpp"

namespace cevns {

// A detector response from source bins (flux × true-recoil bin) to analysis bins; empty for a
// forecast, whose analysis bins are the rate problem's bins (kernels/scan_point.hpp, FoldView).
struct FoldTables {
  std::vector<double> response;  // [true bin][energy bin]
  int n_true = 0, n_energy = 0;
  std::vector<double> weight;  // [flux][analysis bin]
  std::vector<int> energy_of_bin;
  bool empty() const { return response.empty(); }
  int n_bins() const { return static_cast<int>(energy_of_bin.size()); }
};

// The entries a sterile channel depletes, compacted per source bin: the input of the depletion
// table D[Δm²][analysis bin] (SPEC §9).
struct DepletionTables {
  std::vector<double> rate;           // rate of the entry, efficiency applied
  std::vector<double> phase_per_dm2;  // 1.27 L/E
  // Per neutrino source the detector sees (SPEC §12), the baseline spread a / L; the entries of
  // each source form one block of source bins.
  std::vector<double> spread_ratio = {0.0};
  std::vector<int> offsets;  // [neutrino source][source bin], n_baselines × n_sources + 1
  FoldTables fold;           // source bins → analysis bins (empty: the same bins)
  int n_baselines() const { return static_cast<int>(spread_ratio.size()); }
  int n_sources() const { return (static_cast<int>(offsets.size()) - 1) / n_baselines(); }
  // The kernels' view of the tables in memory at `rate`, `phase`, `offsets_ptr`.
  DepletionView view(const double* rate, const double* phase, const int* offsets_ptr) const {
    DepletionView v{rate, phase, offsets_ptr, n_sources(), n_baselines(), {}};
    for (int l = 0; l < n_baselines(); ++l) v.spread_ratio[l] = spread_ratio[l];
    return v;
  }
  int n_bins() const { return fold.empty() ? n_sources() : fold.n_bins(); }
};

// Everything a grid of a statistic needs, in host memory.
struct ScanInput {
  enum Evaluator { kQuadratic, kSterile, kDirect, kMediator, kRadius, kMagnetic };
  enum Statistic { kGaussianPulls, kPoisson };

  // Grid.
  int n_axes = 1;
  int ids[2] = {0, 0};  // ParameterIndex per axis
  std::vector<double> axis[2];
  PhysicsModel base{};

  // Statistic. Gaussian (SPEC §7): Asimov data and background per bin, pull widths.
  Statistic statistic = kGaussianPulls;
  std::vector<double> n_exp, n_bg;
  double sigma_alpha = 0.0, sigma_beta = 0.0;
  // Poisson (data fits): observed counts, background templates [template][bin], σ per
  // normalisation, signal first (kernels/poisson.hpp).
  std::vector<double> data, backgrounds, sigmas;
  int n_backgrounds = 0;

  // Counts evaluator and its tables; efficiency and response are already folded into the
  // factorised tables.
  Evaluator evaluator = kQuadratic;
  std::vector<Moments> quadratic_table;                 // kQuadratic: [flux][bin]
  std::vector<double> unaffected, affected, depletion;  // kSterile: [bin], [bin], [row][bin]
  int dm2_axis = -1;                                    // kSterile
  std::vector<double> sm, quadratic, quartic;           // kMediator: [bin], [row][bin], [row][bin]
  int mass_axis = -1;                                   // kMediator: the rows' axis
  int sm_per_row = 0;                                   // kMediator: sm is [row][bin]
  std::vector<Moments> radius_fixed, radius_rows[2];    // kRadius: [flux][bin], [row][flux][bin]
  std::vector<double> magnetic_base, magnetic_moment[2];  // kMagnetic: A, M_e, M_μ [bin]
  std::shared_ptr<const RateProblem> rates;             // kDirect (no response fold)
  double efficiency = 1.0;                              // kDirect

  // A combination of detectors (SPEC §12; kernels/combination.hpp): the grids of its detectors
  // (same axes, evaluator and statistic kind), one statistic over them, the signal pull shared
  // when `shared_signal`. The members' inputs must outlive the evaluator prepared from this one;
  // the fields above then hold only the grid (axes, base) and the statistic kind.
  std::vector<const ScanInput*> members;
  bool shared_signal = false;

  std::size_t n_points() const {
    return axis[0].size() * (n_axes == 2 ? axis[1].size() : std::size_t{1});
  }
  int n_bins() const {
    return static_cast<int>(statistic == kGaussianPulls ? n_exp.size() : data.size());
  }
};

// The device-resident state of one grid: computes any range of its points.
class GridEvaluator {
 public:
  virtual ~GridEvaluator() = default;
  // Statistic of grid points [first, first + count) into out[0 .. count).
  virtual void chi2(std::size_t first, std::size_t count, double* out) = 0;
};

// The pseudo-experiments of one grid (SPEC §11; kernels/toys.hpp has the meaning of every
// table), in host memory: made by host/engine/feldman_cousins.cpp from a ScanModel.
struct ToyInput {
  std::size_t n_points = 0;
  int n_bins = 0;
  int n_basis = 1;
  std::vector<std::size_t> row_first;  // n_rows + 1
  std::vector<double> basis;           // [row][k][bin]
  std::vector<double> coef;            // [point][k]
  bool poisson = false;
  int n_backgrounds = 1;
  std::vector<double> backgrounds;        // [template][bin]
  std::vector<double> sigmas;             // [1 + n_backgrounds]
  std::vector<double> weight;             // Gaussian: [bin]
  double gg = 0.0;                        // Gaussian
  std::vector<double> point_gaussian;     // Gaussian: [point][5]
  std::vector<PoissonTable> source_bins;  // [source][bin]: the grid's points, then extra sources
  std::vector<double> source_nuisance;    // [source][1 + n_backgrounds]
  std::uint64_t seed = 0;
  // Poisson only: the minimum over the grid by a branch and bound (a quadratic surrogate picks
  // the first points, lower bounds of the profiles rule out the others; kernels/toys.hpp) instead
  // of profiled at every point.
  bool screen = false;
  std::size_t grid_n0 = 0;               // points per row of axis 0
  std::vector<double> surrogate_weight;  // Poisson: [bin]
  std::vector<double> surrogate_gram;    // Poisson: [row][K·K + K·n_backgrounds]
  std::size_t n_sources() const { return n_bins > 0 ? source_bins.size() / n_bins : 0; }
};

// The device-resident toys of one grid.
class ToyEvaluator {
 public:
  virtual ~ToyEvaluator() = default;
  // t = χ²_toy(θ) − min over the grid of χ²_toy for the true grid points θ ∈ [first, first +
  // count) and toys [toy_begin, toy_end), into out[(θ − first) · (toy_end − toy_begin) + toy].
  virtual void statistics(std::size_t first, std::size_t count, std::uint32_t toy_begin,
                          std::uint32_t toy_end, double* out) = 0;
  // Δχ²_toy at every grid point for toys [toy_begin, toy_end) drawn from source `source` (keyed
  // as point `key_point`), into out[toy][point].
  virtual void delta_chi2(std::size_t source, std::uint64_t key_point, std::uint32_t toy_begin,
                          std::uint32_t toy_end, double* out) = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;

  // The three form-factor moments of every quadrature entry (the response tables, SPEC §9).
  virtual std::vector<Moments> entry_moments(const RateProblem& problem) = 0;

  // Sterile depletion table D[row][analysis bin], one row per Δm² (SPEC §9).
  virtual std::vector<double> sterile_depletion(const DepletionTables& tables,
                                                const std::vector<double>& dm2_eV2) = 0;

  // Light-mediator tables B[row][bin], C[row][bin] of the counts A + g²B + g⁴C, one row per
  // mediator mass (SPEC §10.5), at the other parameters and the mediator model of `base` (in the
  // problem's coupling scheme, RateProblem::couplings); `efficiency` multiplies every count. The
  // bins are the problem's recoil bins when `fold` is empty, else its analysis bins (each table
  // row summed per source bin, then folded).
  struct MediatorTables {
    std::vector<double> quadratic, quartic;
  };
  virtual MediatorTables mediator_tables(const RateProblem& problem, const PhysicsModel& base,
                                         const std::vector<double>& masses_MeV, double efficiency,
                                         const FoldTables& fold) = 0;

  // Neutron-radius tables (SPEC §10.5): per row, the moments per flux and recoil bin of the
  // isotopes with mask[isotope] ≠ 0, with the isotopes of `isotope_rows` [row][isotope] (their
  // neutron form factors at the row's radius); `efficiency` multiplies every moment. Returns
  // [row][flux][bin]; no response fold.
  virtual std::vector<Moments> radius_tables(const RateProblem& problem,
                                             const std::vector<IsotopeTarget>& isotope_rows,
                                             const std::vector<int>& mask, double efficiency) = 0;

  // Uploads what the grid needs; the evaluator keeps it on the device for every chunk.
  virtual std::unique_ptr<GridEvaluator> prepare(const ScanInput& input) = 0;

  // Uploads the tables of a grid's pseudo-experiments.
  virtual std::unique_ptr<ToyEvaluator> prepare_toys(const ToyInput& input) = 0;
  // The same for data sets fitted jointly on one grid (the same points in every set; each set's
  // toys keyed by its own `seed`): a toy draws every set and its statistic at a point is the sum
  // of theirs. Its statistics() are those of the joint fit; it has no delta_chi2().
  virtual std::unique_ptr<ToyEvaluator> prepare_joint_toys(const std::vector<ToyInput>& sets) = 0;

  // a·b − c, evaluated by a kernel of this backend. Both backends are compiled without
  // floating-point contraction (CMakeLists.txt: nvcc --fmad=false, g++ -ffp-contract=off), so
  // they run the same sequence of rounded operations; this shows it (a fused multiply-add would
  // skip the rounding of a·b).
  virtual double multiply_subtract(double a, double b, double c) = 0;
};

// The CPU backend. `segment_points`: grid points per task of the χ² loop (kernels/scan_point.hpp,
// Segments); 1 runs the CUDA backend's loop structure on the CPU, for tests.
std::unique_ptr<Backend> make_cpu_backend(std::size_t segment_points = 1024);

// The CUDA backend: throws std::runtime_error when it was not built or no GPU is usable, with the
// reason.
std::unique_ptr<Backend> make_cuda_backend();
bool cuda_backend_built();
int cuda_device_count();  // 0 when not built or no GPU

}  // namespace cevns
