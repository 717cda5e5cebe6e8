// The parallel loops of both backends. Included once by backend_cpu.cpp (g++, Thrust's OpenMP
// device system) and once by backend_cuda.cu (nvcc, Thrust's CUDA system), each inside its own
// namespace CEVNS_BACKEND_NS: one source, two backends. Every loop is a thrust::for_each_n over
// an index, calling the __host__ __device__ physics of the kernels/ headers. The two backends
// differ in one number, the grid points per task of the χ² loop (Segments in scan_point.hpp), and
// in where the χ² of a chunk is written: in place on the CPU, through one device buffer per grid
// on the GPU.
#include <thrust/copy.h>
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/combination.hpp"
#include "kernels/mediator_tables.hpp"
#include "kernels/radius_tables.hpp"
#include "kernels/scan_point.hpp"
#include "kernels/toys.hpp"

#ifndef CEVNS_BACKEND_NS
#error "define CEVNS_BACKEND_NS before including backend_impl.inl"
#endif

namespace cevns {
namespace CEVNS_BACKEND_NS {
namespace {

constexpr bool kHostMemory = THRUST_DEVICE_SYSTEM != THRUST_DEVICE_SYSTEM_CUDA;

template <class T>
thrust::device_vector<T> upload(const std::vector<T>& v) {
  return thrust::device_vector<T>(v.begin(), v.end());
}

template <class T>
const T* ptr(const thrust::device_vector<T>& v) {
  return thrust::raw_pointer_cast(v.data());
}

template <class T>
T* ptr(thrust::device_vector<T>& v) {
  return thrust::raw_pointer_cast(v.data());
}

template <class T>
std::vector<T> to_host(const thrust::device_vector<T>& v) {
  std::vector<T> host(v.size());
  thrust::copy(v.begin(), v.end(), host.begin());
  return host;
}

template <class F>
void parallel_for(std::size_t n, const F& f) {
  if (n == 0) return;
  thrust::for_each_n(thrust::device, thrust::counting_iterator<std::size_t>(0), n, f);
}

// Device-resident copy of a RateProblem and the view the kernels read.
struct DeviceRates {
  thrust::device_vector<IsotopeTarget> isotopes;
  thrust::device_vector<QuadEntry> entries;
  thrust::device_vector<int> bin_offsets;
  thrust::device_vector<double> t_nodes, t_weights, acceptance_t, acceptance_v;
  RateView view;

  explicit DeviceRates(const RateProblem& p)
      : isotopes(upload(p.isotopes)),
        entries(upload(p.entries)),
        bin_offsets(upload(p.bin_offsets)),
        t_nodes(upload(p.t_nodes)),
        t_weights(upload(p.t_weights)),
        acceptance_t(upload(p.acceptance_recoil_keV)),
        acceptance_v(upload(p.acceptance_value)) {
    view = RateView{ptr(isotopes),
                    ptr(entries),
                    static_cast<int>(p.entries.size()),
                    ptr(t_nodes),
                    ptr(t_weights),
                    static_cast<int>(p.t_nodes.size()),
                    Acceptance{static_cast<int>(p.acceptance_recoil_keV.size()), ptr(acceptance_t),
                               ptr(acceptance_v)},
                    p.baselines,
                    p.with_gc ? 1 : 0};
  }
};

// The moments in two passes: the sums once per group of entries sharing their recoil nodes
// (radius_node_groups), then every entry's scale; entry_moments operation for operation.
struct MomentSumsLoop {
  RateView rates;
  const int* first;  // [group]: an entry of the group
  Moments* out;      // [group]
  CEVNS_HD void operator()(std::size_t k) const { out[k] = entry_moment_sums(rates, first[k]); }
};

struct MomentsLoop {
  RateView rates;
  const int* group;     // [entry]
  const Moments* sums;  // [group]
  Moments* out;
  CEVNS_HD void operator()(std::size_t e) const {
    out[e] = scaled_entry_moments(rates, static_cast<int>(e), sums[group[e]]);
  }
};

struct MultiplySubtractLoop {
  double a, b, c;
  double* out;
  CEVNS_HD void operator()(std::size_t) const { out[0] = a * b - c; }
};

struct DepletionLoop {
  DepletionView entries;
  const double* dm2_eV2;
  double* out;  // [row][source]
  CEVNS_HD void operator()(std::size_t k) const {
    const std::size_t n = static_cast<std::size_t>(entries.n_sources);
    out[k] = depletion_sum(entries, dm2_eV2[k / n], static_cast<int>(k % n));
  }
};

// Light-mediator tables: the mass-independent weights of every (entry, recoil node) and the scale
// of every entry on the device, their q² clusters per output slot on the host (a few kB), then
// every (mass row, slot) on the device.
// The form factors once per group of entries sharing their recoil nodes (radius_node_groups).
struct MediatorFormLoop {
  RateView rates;
  PhysicsModel base;
  const int* first;      // [group]: an entry of the group
  NodeFormFactors* out;  // [group][node]
  CEVNS_HD void operator()(std::size_t k) const {
    const std::size_t n_t = static_cast<std::size_t>(rates.n_t);
    out[k] = mediator_node_form_factors(rates, first[k / n_t], base, static_cast<int>(k % n_t));
  }
};

struct MediatorNodeLoop {
  RateView rates;
  PhysicsModel base;
  const int* group;             // [entry]
  const NodeFormFactors* form;  // [group][node]
  MediatorNode* nodes;          // [entry][node]
  double* scale;                // [entry]
  CEVNS_HD void operator()(std::size_t k) const {
    const std::size_t n_t = static_cast<std::size_t>(rates.n_t);
    const int e = static_cast<int>(k / n_t), j = static_cast<int>(k % n_t);
    nodes[k] = mediator_node(rates, e, base, j, form[group[e] * n_t + j]);
    if (j == 0) scale[e] = mediator_entry_scale(rates, e, base);
  }
};

// With the nodes grouped into q² clusters per output slot (kernels/mediator_tables.hpp): every
// (mass row, slot) sums its clusters' expansions.
struct MediatorClusterLoop {
  const MediatorCluster* clusters;
  const int* offsets;  // [slot], n_slots + 1
  int n_slots;
  const double* masses_MeV;
  double efficiency;
  double *quadratic, *quartic;  // [row][slot]
  CEVNS_HD void operator()(std::size_t k) const {
    const std::size_t row = k / n_slots;
    const int s = static_cast<int>(k % n_slots);
    const MediatorMoments m =
        mediator_slot_moments(clusters, offsets[s], offsets[s + 1], masses_MeV[row], efficiency);
    quadratic[k] = m.quadratic;
    quartic[k] = m.quartic;
  }
};

// Neutron-radius tables in three passes: the row-independent part of every (entry, recoil node)
// and the scale of every entry, the node sums of every (row, group of entries sharing their nodes)
// with the row's isotopes, then every (row, bin).
struct RadiusNodeLoop {
  RateView rates;
  RadiusNode* nodes;  // [entry][node]
  double* scale;      // [entry]
  CEVNS_HD void operator()(std::size_t k) const {
    const std::size_t n_t = static_cast<std::size_t>(rates.n_t);
    const int e = static_cast<int>(k / n_t), j = static_cast<int>(k % n_t);
    nodes[k] = radius_node(rates, e, j);
    if (j == 0) scale[e] = radius_entry_scale(rates, e);
  }
};

struct RadiusGroupLoop {
  const RadiusNode* nodes;
  int n_t;
  const int* first;  // [group]
  int n_groups;
  const QuadEntry* entries;
  const IsotopeTarget* isotope_rows;  // [row][isotope]
  int n_isotopes;
  const int* mask;
  Moments* out;  // [row][group]
  CEVNS_HD void operator()(std::size_t k) const {
    const std::size_t row = k / n_groups;
    const int e = first[k % n_groups];
    const int i = entries[e].isotope;
    out[k] = mask[i] == 0 ? Moments{0.0, 0.0, 0.0, 0.0}
                          : radius_group_moments(nodes, n_t, e, isotope_rows[row * n_isotopes + i]);
  }
};

struct RadiusBinLoop {
  const Moments* groups;  // [row][group]
  int n_groups;
  const int* group;  // [entry]
  const double* scale;
  const QuadEntry* entries;
  int n_bins;
  const int* bin_offsets;
  const int* mask;
  double efficiency;
  Moments* out;  // [row][flux][bin]
  CEVNS_HD void operator()(std::size_t k) const {
    const std::size_t row = k / n_bins;
    const int b = static_cast<int>(k % n_bins);
    Moments m[kNumFluxes];
    radius_row_bin_moments(groups + row * n_groups, group, scale, entries, bin_offsets, b, mask,
                           efficiency, m);
    for (int f = 0; f < kNumFluxes; ++f)
      out[(row * kNumFluxes + f) * static_cast<std::size_t>(n_bins) + b] = m[f];
  }
};

// Response fold of a table (depletion, mediator) per row, two passes: source → (flux, energy), →
// analysis bins.
struct FoldEnergyLoop {
  FoldView fold;
  const double* source;  // [row][flux][true bin]
  double* out;           // [row][flux][energy bin]
  CEVNS_HD void operator()(std::size_t k) const {
    const std::size_t per_row = static_cast<std::size_t>(kNumFluxes) * fold.n_energy;
    const std::size_t row = k / per_row, rest = k % per_row;
    out[k] =
        fold_energy(fold, source + row * kNumFluxes * fold.n_true,
                    static_cast<int>(rest / fold.n_energy), static_cast<int>(rest % fold.n_energy));
  }
};

struct FoldBinLoop {
  FoldView fold;
  const double* energy;  // [row][flux][energy bin]
  double* out;           // [row][analysis bin]
  CEVNS_HD void operator()(std::size_t k) const {
    const std::size_t row = k / fold.n_bins;
    out[k] = fold_bin(fold, energy + row * kNumFluxes * fold.n_energy,
                      static_cast<int>(k % fold.n_bins));
  }
};

template <class Counts, class Stats>
struct Chi2SegmentLoop {
  Counts counts;
  GridView grid;
  Stats stats;
  Segments segments;
  double* out;
  CEVNS_HD void operator()(std::size_t s) const {
    int row, i0_begin, i0_end;
    std::size_t offset;
    segments.get(s, &row, &i0_begin, &i0_end, &offset);
    row_chi2(counts, grid, stats, row, i0_begin, i0_end, out + offset);
  }
};

// The device copy of a response fold: applies it to tables [row][flux][true bin].
struct DeviceFold {
  thrust::device_vector<double> response, weight;
  thrust::device_vector<int> energy_of_bin;
  FoldView view{};

  explicit DeviceFold(const FoldTables& f)
      : response(upload(f.response)),
        weight(upload(f.weight)),
        energy_of_bin(upload(f.energy_of_bin)) {
    view =
        FoldView{ptr(response), f.n_true, f.n_energy, ptr(weight), ptr(energy_of_bin), f.n_bins()};
  }
  thrust::device_vector<double> apply(const thrust::device_vector<double>& source,
                                      std::size_t rows) const {
    thrust::device_vector<double> energy(rows * kNumFluxes *
                                         static_cast<std::size_t>(view.n_energy));
    parallel_for(energy.size(), FoldEnergyLoop{view, ptr(source), ptr(energy)});
    thrust::device_vector<double> out(rows * static_cast<std::size_t>(view.n_bins));
    parallel_for(out.size(), FoldBinLoop{view, ptr(energy), ptr(out)});
    return out;
  }
};

// The device copy of a grid's statistic.
struct DeviceStats {
  thrust::device_vector<double> a, b, c, d;
  GaussianStats gaussian{};
  PoissonStats poisson{};

  explicit DeviceStats(const ScanInput& in) {
    if (in.statistic == ScanInput::kGaussianPulls) {
      std::vector<double> weights(in.n_exp.size());
      for (std::size_t i = 0; i < weights.size(); ++i)
        weights[i] = in.n_exp[i] > 0.0 ? 1.0 / in.n_exp[i] : 0.0;
      a = upload(in.n_exp);
      b = upload(in.n_bg);
      c = upload(weights);
      const auto inverse_variance = [](double s) { return s > 0.0 ? 1.0 / (s * s) : -1.0; };
      gaussian = GaussianStats{ptr(a),
                               ptr(b),
                               ptr(c),
                               in.n_bins(),
                               inverse_variance(in.sigma_alpha),
                               inverse_variance(in.sigma_beta),
                               in.sigma_alpha > 0.0 ? 1.0 : 0.0,
                               in.sigma_beta > 0.0 ? 1.0 : 0.0};
    } else {
      a = upload(in.data);
      b = upload(in.backgrounds.empty() ? std::vector<double>{0.0} : in.backgrounds);
      c = upload(in.sigmas);
      poisson = PoissonStats{ptr(a), ptr(b), in.n_backgrounds, ptr(c), in.n_bins()};
    }
  }
};

// One grid on the device: axes, statistic and the evaluator's tables, uploaded once.
template <class Counts>
class ThrustGrid final : public GridEvaluator {
 public:
  ThrustGrid(const ScanInput& in, std::size_t segment_points, Counts counts,
             std::vector<std::shared_ptr<const void>> keep)
      : keep_(std::move(keep)),
        axis0_(upload(in.axis[0])),
        axis1_(upload(in.n_axes == 2 ? in.axis[1] : std::vector<double>{0.0})),
        stats_(in),
        counts_(counts),
        segment_points_(segment_points),
        gaussian_(in.statistic == ScanInput::kGaussianPulls) {
    grid_ = GridView{in.n_axes,
                     {in.ids[0], in.ids[1]},
                     {ptr(axis0_), ptr(axis1_)},
                     {static_cast<int>(in.axis[0].size()),
                      in.n_axes == 2 ? static_cast<int>(in.axis[1].size()) : 1},
                     in.base};
  }

  void chi2(std::size_t first, std::size_t count, double* out) override {
    if (count == 0) return;
    double* result = out;  // host-memory system: the loop writes the caller's array
    if (!kHostMemory) {
      if (buffer_.size() < count) buffer_.resize(count);
      result = ptr(buffer_);
    }
    const Segments segments(first, count, static_cast<std::size_t>(grid_.n[0]), segment_points_);
    if (gaussian_)
      parallel_for(segments.size(), Chi2SegmentLoop<Counts, GaussianStats>{
                                        counts_, grid_, stats_.gaussian, segments, result});
    else
      parallel_for(segments.size(), Chi2SegmentLoop<Counts, PoissonStats>{
                                        counts_, grid_, stats_.poisson, segments, result});
    if (!kHostMemory) thrust::copy(buffer_.begin(), buffer_.begin() + count, out);
  }

 private:
  std::vector<std::shared_ptr<const void>> keep_;  // device tables the counts point into
  thrust::device_vector<double> axis0_, axis1_;
  DeviceStats stats_;
  Counts counts_;
  GridView grid_{};
  std::size_t segment_points_;
  bool gaussian_;
  thrust::device_vector<double> buffer_;
};

template <class Counts, class Stats>
struct CombinedSegmentLoop {
  CombinationView<Counts, Stats> combination;
  GridView grid;
  Segments segments;
  double* out;
  CEVNS_HD void operator()(std::size_t s) const {
    int row, i0_begin, i0_end;
    std::size_t offset;
    segments.get(s, &row, &i0_begin, &i0_end, &offset);
    combined_row_chi2(combination, grid, row, i0_begin, i0_end, out + offset);
  }
};

// A combination of detectors on the device (kernels/combination.hpp): every detector's tables
// and statistic, uploaded once, and one statistic over them per point.
template <class Counts>
class ThrustCombinedGrid final : public GridEvaluator {
 public:
  ThrustCombinedGrid(const ScanInput& in, std::size_t segment_points,
                     const std::vector<Counts>& counts,
                     std::vector<std::shared_ptr<const void>> keep)
      : keep_(std::move(keep)),
        axis0_(upload(in.axis[0])),
        axis1_(upload(in.n_axes == 2 ? in.axis[1] : std::vector<double>{0.0})),
        counts_(upload(counts)),
        segment_points_(segment_points),
        gaussian_(in.statistic == ScanInput::kGaussianPulls),
        shared_signal_(in.shared_signal ? 1 : 0) {
    std::vector<GaussianStats> gaussian;
    std::vector<PoissonStats> poisson;
    for (const ScanInput* member : in.members) {
      stats_.push_back(std::make_unique<DeviceStats>(*member));
      gaussian.push_back(stats_.back()->gaussian);
      poisson.push_back(stats_.back()->poisson);
    }
    gaussian_stats_ = upload(gaussian);
    poisson_stats_ = upload(poisson);
    grid_ = GridView{in.n_axes,
                     {in.ids[0], in.ids[1]},
                     {ptr(axis0_), ptr(axis1_)},
                     {static_cast<int>(in.axis[0].size()),
                      in.n_axes == 2 ? static_cast<int>(in.axis[1].size()) : 1},
                     in.base};
  }

  void chi2(std::size_t first, std::size_t count, double* out) override {
    if (count == 0) return;
    double* result = out;
    if (!kHostMemory) {
      if (buffer_.size() < count) buffer_.resize(count);
      result = ptr(buffer_);
    }
    const Segments segments(first, count, static_cast<std::size_t>(grid_.n[0]), segment_points_);
    const int n = static_cast<int>(counts_.size());
    if (gaussian_)
      parallel_for(
          segments.size(),
          CombinedSegmentLoop<Counts, GaussianStats>{
              {ptr(counts_), ptr(gaussian_stats_), n, shared_signal_}, grid_, segments, result});
    else
      parallel_for(
          segments.size(),
          CombinedSegmentLoop<Counts, PoissonStats>{
              {ptr(counts_), ptr(poisson_stats_), n, shared_signal_}, grid_, segments, result});
    if (!kHostMemory) thrust::copy(buffer_.begin(), buffer_.begin() + count, out);
  }

 private:
  std::vector<std::shared_ptr<const void>> keep_;  // device tables the counts point into
  thrust::device_vector<double> axis0_, axis1_;
  std::vector<std::unique_ptr<DeviceStats>> stats_;
  thrust::device_vector<Counts> counts_;
  thrust::device_vector<GaussianStats> gaussian_stats_;
  thrust::device_vector<PoissonStats> poisson_stats_;
  GridView grid_{};
  std::size_t segment_points_;
  bool gaussian_;
  int shared_signal_;
  thrust::device_vector<double> buffer_;
};

// Pseudo-experiments (kernels/toys.hpp): one work item per (true point, toy), its counts in a
// scratch row of its own.
struct ToyStatisticLoop {
  ToyView view;
  std::size_t first;
  std::uint32_t toy_begin, n_toys;
  std::size_t item_begin;
  double* scratch;  // [item − item_begin][bin]
  double* out;      // [item]
  CEVNS_HD void operator()(std::size_t i) const {
    const std::size_t item = item_begin + i;
    const std::size_t point = first + item / n_toys;
    const std::uint32_t toy = toy_begin + static_cast<std::uint32_t>(item % n_toys);
    double* counts = scratch + i * static_cast<std::size_t>(view.n_bins);
    double centre[kMaxPulls];
    draw_toy(view, point, point, toy, counts, centre);
    ToyStatisticSink sink{point, 0.0, 1e308};
    toy_grid_chi2(view, counts, centre, sink);
    out[item] = sink.at_truth - sink.minimum;
  }
};

struct ToyDeltaLoop {
  ToyView view;
  std::size_t source;
  std::uint64_t key_point;
  std::uint32_t toy_begin;
  double* scratch;  // [toy][bin]
  double* out;      // [toy][point]
  CEVNS_HD void operator()(std::size_t i) const {
    double* counts = scratch + i * static_cast<std::size_t>(view.n_bins);
    double centre[kMaxPulls];
    draw_toy(view, source, key_point, toy_begin + static_cast<std::uint32_t>(i), counts, centre);
    ToyGridSink sink{out + i * view.n_points, 1e308};
    toy_grid_chi2(view, counts, centre, sink);
    for (std::size_t p = 0; p < view.n_points; ++p) sink.out[p] -= sink.minimum;
  }
};

// The toys of data sets fitted jointly (shared physics, separate nuisances): one work item per
// (true point, toy) draws every set's toy (each keyed by its own seed) and adds the sets'
// statistics point by point in a scratch row of the grid, in the order of the sets (the order
// in which the joint grid sums them), then takes t at the true point against the row's minimum.
struct JointToyStatisticLoop {
  const ToyView* views;
  int n_sets, bins_total;
  std::size_t n_points, first;
  std::uint32_t toy_begin, n_toys;
  std::size_t item_begin;
  double* scratch;  // [item − item_begin][bins_total + n_points]
  double* out;      // [item]
  CEVNS_HD void operator()(std::size_t i) const {
    const std::size_t item = item_begin + i;
    const std::size_t point = first + item / n_toys;
    const std::uint32_t toy = toy_begin + static_cast<std::uint32_t>(item % n_toys);
    double* counts = scratch + i * (static_cast<std::size_t>(bins_total) + n_points);
    double* sum = counts + bins_total;
    for (std::size_t p = 0; p < n_points; ++p) sum[p] = 0.0;
    for (int s = 0; s < n_sets; ++s) {
      double centre[kMaxPulls];
      draw_toy(views[s], point, point, toy, counts, centre);
      ToyAddSink sink{sum};
      toy_grid_chi2(views[s], counts, centre, sink);
      counts += views[s].n_bins;
    }
    double minimum = 1e308;
    for (std::size_t p = 0; p < n_points; ++p) minimum = sum[p] < minimum ? sum[p] : minimum;
    out[item] = sum[point] - minimum;
  }
};

// Poisson toys with the minimum by branch and bound (kernels/toys.hpp), of one data set or
// several jointly; the scratch of one work item: counts, dual slopes and every set's bounds.
CEVNS_HD inline std::size_t screened_scratch(int n_sets, int bins_total, std::size_t n_points) {
  return 2 * static_cast<std::size_t>(bins_total) + static_cast<std::size_t>(n_sets) * n_points;
}

struct ScreenedToyStatisticLoop {
  const ToyView* views;
  int n_sets, bins_total;
  std::size_t n_points, first;
  std::uint32_t toy_begin, n_toys;
  std::size_t item_begin;
  double* scratch;  // [item − item_begin][2 bins_total + n_sets · n_points]
  double* out;      // [item]
  CEVNS_HD void operator()(std::size_t i) const {
    const std::size_t item = item_begin + i;
    const std::size_t point = first + item / n_toys;
    const std::uint32_t toy = toy_begin + static_cast<std::uint32_t>(item % n_toys);
    double* counts = scratch + i * screened_scratch(n_sets, bins_total, n_points);
    out[item] = screened_toy_statistic(views, n_sets, point, toy, counts, counts + bins_total);
  }
};

// The tables of one data set's (or one forecast's) toys on the device.
struct DeviceToySet {
  explicit DeviceToySet(const ToyInput& in)
      : row_first(upload(in.row_first)),
        basis(upload(in.basis)),
        coef(upload(in.coef)),
        backgrounds(upload(in.backgrounds)),
        sigmas(upload(in.sigmas)),
        weight(upload(in.weight.empty() ? std::vector<double>{0.0} : in.weight)),
        point_gaussian(
            upload(in.point_gaussian.empty() ? std::vector<double>{0.0} : in.point_gaussian)),
        source_bins(upload(in.source_bins)),
        source_nuisance(upload(in.source_nuisance)),
        surrogate_weight(upload(nonempty(in.surrogate_weight))),
        surrogate_gram(upload(nonempty(in.surrogate_gram))) {
    view = ToyView{in.n_points,
                   in.n_bins,
                   in.n_basis,
                   static_cast<int>(in.row_first.size()) - 1,
                   ptr(row_first),
                   ptr(basis),
                   ptr(coef),
                   in.poisson ? 1 : 0,
                   in.n_backgrounds,
                   ptr(backgrounds),
                   ptr(sigmas),
                   ptr(weight),
                   in.gg,
                   ptr(point_gaussian),
                   ptr(source_bins),
                   ptr(source_nuisance),
                   in.seed,
                   in.screen && in.poisson ? 1 : 0,
                   in.grid_n0 > 0 ? in.grid_n0 : in.n_points,
                   ptr(surrogate_weight),
                   ptr(surrogate_gram)};
  }
  thrust::device_vector<std::size_t> row_first;
  thrust::device_vector<double> basis, coef, backgrounds, sigmas, weight, point_gaussian;
  thrust::device_vector<PoissonTable> source_bins;
  thrust::device_vector<double> source_nuisance;
  thrust::device_vector<double> surrogate_weight, surrogate_gram;
  ToyView view{};

 private:
  static std::vector<double> nonempty(const std::vector<double>& v) {
    return v.empty() ? std::vector<double>{0.0} : v;
  }
};

class ThrustToys final : public ToyEvaluator {
 public:
  explicit ThrustToys(const std::vector<ToyInput>& in) {
    std::vector<ToyView> views;
    for (const ToyInput& set : in) {
      sets_.push_back(std::make_unique<DeviceToySet>(set));
      views.push_back(sets_.back()->view);
      bins_total_ += set.n_bins;
    }
    view_ = views.front();
    views_ = upload(views);
  }

  void statistics(std::size_t first, std::size_t count, std::uint32_t toy_begin,
                  std::uint32_t toy_end, double* out) override {
    const std::uint32_t n_toys = toy_end - toy_begin;
    const std::size_t items = count * n_toys;
    if (items == 0) return;
    const bool joint = sets_.size() > 1, screened = view_.screen != 0;
    const std::size_t per_item =
        screened ? screened_scratch(static_cast<int>(sets_.size()), bins_total_, view_.n_points)
                 : static_cast<std::size_t>(bins_total_) + (joint ? view_.n_points : 0);
    const std::size_t batch = batch_items(items, per_item);
    if (scratch_.size() < batch * per_item) scratch_.resize(batch * per_item);
    double* result = out;
    if (!kHostMemory) {
      if (buffer_.size() < items) buffer_.resize(items);
      result = ptr(buffer_);
    }
    for (std::size_t begin = 0; begin < items; begin += batch) {
      if (screened)
        parallel_for(std::min(batch, items - begin),
                     ScreenedToyStatisticLoop{ptr(views_), static_cast<int>(sets_.size()),
                                              bins_total_, view_.n_points, first, toy_begin, n_toys,
                                              begin, ptr(scratch_), result});
      else if (joint)
        parallel_for(std::min(batch, items - begin),
                     JointToyStatisticLoop{ptr(views_), static_cast<int>(sets_.size()), bins_total_,
                                           view_.n_points, first, toy_begin, n_toys, begin,
                                           ptr(scratch_), result});
      else
        parallel_for(
            std::min(batch, items - begin),
            ToyStatisticLoop{view_, first, toy_begin, n_toys, begin, ptr(scratch_), result});
    }
    if (!kHostMemory) thrust::copy(buffer_.begin(), buffer_.begin() + items, out);
  }

  void delta_chi2(std::size_t source, std::uint64_t key_point, std::uint32_t toy_begin,
                  std::uint32_t toy_end, double* out) override {
    if (sets_.size() > 1)
      throw std::logic_error("toys of a joint fit give critical values only, not Delta chi2 grids");
    const std::size_t n_toys = toy_end - toy_begin;
    if (n_toys == 0) return;
    if (scratch_.size() < n_toys * view_.n_bins) scratch_.resize(n_toys * view_.n_bins);
    const std::size_t n = n_toys * view_.n_points;
    double* result = out;
    if (!kHostMemory) {
      if (buffer_.size() < n) buffer_.resize(n);
      result = ptr(buffer_);
    }
    parallel_for(n_toys, ToyDeltaLoop{view_, source, key_point, toy_begin, ptr(scratch_), result});
    if (!kHostMemory) thrust::copy(buffer_.begin(), buffer_.begin() + n, out);
  }

 private:
  // Work items per launch: their scratch rows stay under 2^23 doubles (64 MiB).
  static std::size_t batch_items(std::size_t items, std::size_t per_item) {
    const std::size_t cap = (std::size_t{1} << 23) / std::max<std::size_t>(per_item, 1);
    return std::max<std::size_t>(1, std::min(items, cap));
  }

  std::vector<std::unique_ptr<DeviceToySet>> sets_;
  thrust::device_vector<ToyView> views_;
  int bins_total_ = 0;
  thrust::device_vector<double> scratch_, buffer_;
  ToyView view_{};
};

template <class T>
std::shared_ptr<const void> keep_on_device(const std::vector<T>& v, const T** p) {
  auto d = std::make_shared<thrust::device_vector<T>>(upload(v));
  *p = ptr(*d);
  return d;
}

class ThrustBackend final : public Backend {
 public:
  ThrustBackend(std::string name, std::size_t segment_points)
      : name_(std::move(name)), segment_points_(segment_points) {}
  std::string name() const override { return name_; }

  std::vector<Moments> entry_moments(const RateProblem& problem) override {
    const DeviceRates d(problem);
    std::vector<int> group, first;
    radius_node_groups(problem.entries, &group, &first);
    const auto group_d = upload(group), first_d = upload(first);
    thrust::device_vector<Moments> sums(first.size()), out(problem.entries.size());
    parallel_for(first.size(), MomentSumsLoop{d.view, ptr(first_d), ptr(sums)});
    parallel_for(problem.entries.size(), MomentsLoop{d.view, ptr(group_d), ptr(sums), ptr(out)});
    return to_host(out);
  }

  std::vector<double> sterile_depletion(const DepletionTables& t,
                                        const std::vector<double>& dm2_eV2) override {
    const auto rate = upload(t.rate), phase = upload(t.phase_per_dm2);
    const auto offsets = upload(t.offsets);
    const auto dm2 = upload(dm2_eV2);
    const std::size_t rows = dm2_eV2.size();
    thrust::device_vector<double> source(rows * static_cast<std::size_t>(t.n_sources()));
    parallel_for(source.size(),
                 DepletionLoop{t.view(ptr(rate), ptr(phase), ptr(offsets)), ptr(dm2), ptr(source)});
    if (t.fold.empty()) return to_host(source);
    const DeviceFold fold(t.fold);
    return to_host(fold.apply(source, rows));
  }

  MediatorTables mediator_tables(const RateProblem& problem, const PhysicsModel& given_base,
                                 const std::vector<double>& masses_MeV, double efficiency,
                                 const FoldTables& fold) override {
    PhysicsModel base = given_base;
    base.couplings = problem.couplings;  // the detector's coupling scheme (kernels/couplings.hpp)
    const DeviceRates d(problem);
    const std::size_t rows = masses_MeV.size(), n_entries = problem.entries.size();
    const int n_bins = problem.n_bins(), n_t = d.view.n_t;
    std::vector<int> group, first;
    radius_node_groups(problem.entries, &group, &first);
    const auto group_d = upload(group), first_d = upload(first);
    thrust::device_vector<NodeFormFactors> form(first.size() * n_t);
    parallel_for(form.size(), MediatorFormLoop{d.view, base, ptr(first_d), ptr(form)});
    thrust::device_vector<MediatorNode> nodes(n_entries * n_t);
    thrust::device_vector<double> scale(n_entries);
    parallel_for(nodes.size(), MediatorNodeLoop{d.view, base, ptr(group_d), ptr(form), ptr(nodes),
                                                ptr(scale)});
    const MediatorClusters c = make_mediator_clusters(to_host(nodes), to_host(scale), n_t,
                                                      problem.entries, n_bins, !fold.empty());
    const auto clusters = upload(c.clusters);
    const auto offsets = upload(c.offsets);
    const auto masses = upload(masses_MeV);
    const std::size_t n_slots = static_cast<std::size_t>(c.n_slots());
    thrust::device_vector<double> quadratic(rows * n_slots), quartic(rows * n_slots);
    parallel_for(quadratic.size(),
                 MediatorClusterLoop{ptr(clusters), ptr(offsets), c.n_slots(), ptr(masses),
                                     efficiency, ptr(quadratic), ptr(quartic)});
    if (fold.empty()) return MediatorTables{to_host(quadratic), to_host(quartic)};
    const DeviceFold f(fold);
    return MediatorTables{to_host(f.apply(quadratic, rows)), to_host(f.apply(quartic, rows))};
  }

  std::vector<Moments> radius_tables(const RateProblem& problem,
                                     const std::vector<IsotopeTarget>& isotope_rows,
                                     const std::vector<int>& mask, double efficiency) override {
    const DeviceRates d(problem);
    const auto rows_d = upload(isotope_rows);
    const auto mask_d = upload(mask);
    const int n_isotopes = static_cast<int>(problem.isotopes.size()), n_bins = problem.n_bins();
    const int n_t = d.view.n_t;
    const std::size_t rows = isotope_rows.size() / problem.isotopes.size();
    thrust::device_vector<RadiusNode> nodes(problem.entries.size() * n_t);
    thrust::device_vector<double> scale(problem.entries.size());
    parallel_for(nodes.size(), RadiusNodeLoop{d.view, ptr(nodes), ptr(scale)});
    std::vector<int> group, first;
    radius_node_groups(problem.entries, &group, &first);
    const auto group_d = upload(group), first_d = upload(first);
    const int n_groups = static_cast<int>(first.size());
    thrust::device_vector<Moments> groups(rows * n_groups);
    parallel_for(groups.size(),
                 RadiusGroupLoop{ptr(nodes), n_t, ptr(first_d), n_groups, ptr(d.entries),
                                 ptr(rows_d), n_isotopes, ptr(mask_d), ptr(groups)});
    thrust::device_vector<Moments> out(rows * kNumFluxes * static_cast<std::size_t>(n_bins));
    parallel_for(rows * static_cast<std::size_t>(n_bins),
                 RadiusBinLoop{ptr(groups), n_groups, ptr(group_d), ptr(scale), ptr(d.entries),
                               n_bins, ptr(d.bin_offsets), ptr(mask_d), efficiency, ptr(out)});
    return to_host(out);
  }

  std::unique_ptr<GridEvaluator> prepare(const ScanInput& in) override {
    if (!in.members.empty()) return prepare_combination(in);
    std::vector<std::shared_ptr<const void>> keep;
    return with_device_counts(in, &keep, [&](auto c) -> std::unique_ptr<GridEvaluator> {
      return std::make_unique<ThrustGrid<decltype(c)>>(in, segment_points_, c, std::move(keep));
    });
  }

  std::unique_ptr<ToyEvaluator> prepare_toys(const ToyInput& input) override {
    return std::make_unique<ThrustToys>(std::vector<ToyInput>{input});
  }

  std::unique_ptr<ToyEvaluator> prepare_joint_toys(const std::vector<ToyInput>& sets) override {
    if (sets.empty() || sets.size() > static_cast<std::size_t>(kMaxJointSets))
      throw std::logic_error("prepare_joint_toys: expected 1 to 8 data sets");
    for (const ToyInput& s : sets)
      if (s.n_points != sets.front().n_points || s.screen != sets.front().screen)
        throw std::logic_error("prepare_joint_toys: the sets' grids differ");
    return std::make_unique<ThrustToys>(sets);
  }

  double multiply_subtract(double a, double b, double c) override {
    thrust::device_vector<double> out(1);
    parallel_for(1, MultiplySubtractLoop{a, b, c, ptr(out)});
    return to_host(out)[0];
  }

 private:
  // The device copy of a rate problem, made once per problem (per detector) and shared by every
  // direct grid of it while any of them lives. Keyed by ownership, so a new problem at the
  // address of a destroyed one is a new key.
  std::shared_ptr<DeviceRates> device_rates(const std::shared_ptr<const RateProblem>& problem) {
    for (auto it = rate_cache_.begin(); it != rate_cache_.end();)
      it = it->second.expired() ? rate_cache_.erase(it) : std::next(it);
    auto& cached = rate_cache_[problem];
    if (auto d = cached.lock()) return d;
    auto d = std::make_shared<DeviceRates>(*problem);
    cached = d;
    return d;
  }

  // The counts evaluator of a grid with its tables on the device (kept alive by `keep`), handed
  // to f as its own type; f's evaluator is returned.
  template <class F>
  std::unique_ptr<GridEvaluator> with_device_counts(const ScanInput& in,
                                                    std::vector<std::shared_ptr<const void>>* keep,
                                                    F&& f) {
    switch (in.evaluator) {
      case ScanInput::kQuadratic: {
        QuadraticCounts c{nullptr, in.n_bins()};
        keep->push_back(keep_on_device(in.quadratic_table, &c.table));
        return f(c);
      }
      case ScanInput::kSterile: {
        SterileCounts c{nullptr, nullptr, nullptr, in.n_bins(), in.dm2_axis};
        keep->push_back(keep_on_device(in.unaffected, &c.unaffected));
        keep->push_back(keep_on_device(in.affected, &c.affected));
        keep->push_back(keep_on_device(in.depletion, &c.depletion));
        return f(c);
      }
      case ScanInput::kMediator: {
        MediatorCounts c{nullptr, nullptr, nullptr, in.n_bins(), in.mass_axis, in.sm_per_row};
        keep->push_back(keep_on_device(in.sm, &c.sm));
        keep->push_back(keep_on_device(in.quadratic, &c.quadratic));
        keep->push_back(keep_on_device(in.quartic, &c.quartic));
        return f(c);
      }
      case ScanInput::kRadius: {
        RadiusCounts c{nullptr, {nullptr, nullptr}, in.n_bins()};
        keep->push_back(keep_on_device(in.radius_fixed, &c.fixed));
        for (int k = 0; k < 2; ++k)
          if (!in.radius_rows[k].empty())
            keep->push_back(keep_on_device(in.radius_rows[k], &c.rows[k]));
        return f(c);
      }
      case ScanInput::kMagnetic: {
        MagneticCounts c{nullptr, {nullptr, nullptr}, in.n_bins()};
        keep->push_back(keep_on_device(in.magnetic_base, &c.base));
        for (int k = 0; k < 2; ++k)
          keep->push_back(keep_on_device(in.magnetic_moment[k], &c.moment[k]));
        return f(c);
      }
      case ScanInput::kDirect:
      default: {
        const auto d = device_rates(in.rates);
        const DirectCounts c{d->view, ptr(d->bin_offsets), in.efficiency};
        keep->push_back(d);
        keep->push_back(in.rates);
        return f(c);
      }
    }
  }

  // A combination (SPEC §12): its detectors' evaluators, all of one type, on the device.
  std::unique_ptr<GridEvaluator> prepare_combination(const ScanInput& in) {
    if (in.members.size() > static_cast<std::size_t>(kMaxCombinedDetectors))
      throw std::invalid_argument("combination of more than kMaxCombinedDetectors detectors");
    std::vector<std::shared_ptr<const void>> keep;
    return with_device_counts(
        *in.members[0], &keep, [&](auto first) -> std::unique_ptr<GridEvaluator> {
          using Counts = decltype(first);
          std::vector<Counts> counts{first};
          for (std::size_t d = 1; d < in.members.size(); ++d)
            with_device_counts(*in.members[d], &keep, [&](auto c) {
              if constexpr (std::is_same_v<decltype(c), Counts>)
                counts.push_back(c);
              else
                throw std::invalid_argument("combination of detectors with different evaluators");
              return std::unique_ptr<GridEvaluator>();
            });
          return std::make_unique<ThrustCombinedGrid<Counts>>(in, segment_points_, counts,
                                                              std::move(keep));
        });
  }

  std::string name_;
  std::size_t segment_points_;
  std::map<std::weak_ptr<const RateProblem>, std::weak_ptr<DeviceRates>, std::owner_less<>>
      rate_cache_;
};

}  // namespace

}  // namespace CEVNS_BACKEND_NS
}  // namespace cevns
