// The parallel loops of both backends. Included once by backend_cpu.cpp (g++, Thrust's OpenMP
// device system) and once by backend_cuda.cu (nvcc, Thrust's CUDA system), each inside its own
// namespace CEVNS_BACKEND_NS: one source, two backends. Every loop is a thrust::for_each_n over
// an index, calling the __host__ __device__ physics of the kernels/ headers.
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/scan_point.hpp"

#ifndef CEVNS_BACKEND_NS
#error "define CEVNS_BACKEND_NS before including backend_impl.inl"
#endif

namespace cevns {
namespace CEVNS_BACKEND_NS {
namespace {

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
                    p.baseline_m,
                    p.with_gc ? 1 : 0};
  }
};

struct MomentsLoop {
  RateView rates;
  Moments* out;
  CEVNS_HD void operator()(std::size_t e) const { out[e] = entry_moments(rates, static_cast<int>(e)); }
};

struct DirectCountsLoop {
  RateView rates;
  const int* bin_offsets;
  const PhysicsModel* models;
  int n_bins;
  double* out;
  CEVNS_HD void operator()(std::size_t k) const {
    const PhysicsModel& m = models[k / n_bins];
    const int b = static_cast<int>(k % n_bins);
    double n = 0.0;
    for (int e = bin_offsets[b]; e < bin_offsets[b + 1]; ++e) n += entry_direct(rates, e, m);
    out[k] = n;
  }
};

struct DepletionLoop {
  DepletionView entries;
  const double* dm2_eV2;
  int n_bins;
  double* out;
  CEVNS_HD void operator()(std::size_t k) const {
    out[k] = depletion_sum(entries, dm2_eV2[k / n_bins], static_cast<int>(k % n_bins));
  }
};

// A piece of one grid row: the unit of work of the CPU backend's χ² loop.
struct RowSegment {
  int row, i0_begin, i0_end;
  std::size_t out_offset;
};

template <class Counts>
struct Chi2RowLoop {
  Counts counts;
  GridView grid;
  StatsView stats;
  const RowSegment* segments;
  double* out;
  CEVNS_HD void operator()(std::size_t s) const {
    const RowSegment seg = segments[s];
    row_chi2(counts, grid, stats, seg.row, seg.i0_begin, seg.i0_end, out + seg.out_offset);
  }
};

template <class Counts>
struct Chi2Loop {
  Counts counts;
  GridView grid;
  StatsView stats;
  std::size_t first;
  double* out;
  CEVNS_HD void operator()(std::size_t k) const { out[k] = point_chi2(counts, grid, stats, first + k); }
};

}  // namespace

class ThrustBackend final : public Backend {
 public:
  explicit ThrustBackend(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }

  std::vector<Moments> entry_moments(const RateProblem& problem) override {
    DeviceRates d(problem);
    thrust::device_vector<Moments> out(problem.entries.size());
    parallel_for(problem.entries.size(), MomentsLoop{d.view, ptr(out)});
    std::vector<Moments> host(out.size());
    thrust::copy(out.begin(), out.end(), host.begin());
    return host;
  }

  std::vector<double> direct_counts(const RateProblem& problem,
                                    const std::vector<PhysicsModel>& models) override {
    DeviceRates d(problem);
    const auto dmodels = upload(models);
    const int n_bins = problem.n_bins();
    thrust::device_vector<double> out(models.size() * static_cast<std::size_t>(n_bins));
    parallel_for(out.size(),
                 DirectCountsLoop{d.view, ptr(d.bin_offsets), ptr(dmodels), n_bins, ptr(out)});
    return to_host(out);
  }

  std::vector<double> sterile_depletion(const RateProblem& problem,
                                        const std::vector<double>& entry_rates, int channel,
                                        const std::vector<double>& dm2_eV2) override {
    // Compact the depleted entries per bin, with their phase 1.27 L/E per unit Δm².
    std::vector<double> rate, phase;
    std::vector<int> offsets{0};
    for (int b = 0; b < problem.n_bins(); ++b) {
      for (int e = problem.bin_offsets[b]; e < problem.bin_offsets[b + 1]; ++e) {
        const QuadEntry& q = problem.entries[e];
        if (!sterile_affects(channel, q.flux)) continue;
        rate.push_back(entry_rates[e]);
        phase.push_back(constants::oscillation_phase_coefficient * problem.baseline_m / q.energy_MeV);
      }
      offsets.push_back(static_cast<int>(rate.size()));
    }
    const auto drate = upload(rate), dphase = upload(phase);
    const auto doffsets = upload(offsets);
    const auto ddm2 = upload(dm2_eV2);
    const int n_bins = problem.n_bins();
    thrust::device_vector<double> out(dm2_eV2.size() * static_cast<std::size_t>(n_bins));
    parallel_for(out.size(), DepletionLoop{DepletionView{ptr(drate), ptr(dphase), ptr(doffsets)},
                                           ptr(ddm2), n_bins, ptr(out)});
    return to_host(out);
  }

  void scan_chi2(const ScanInput& in, std::size_t first, std::size_t count, double* out) override {
    const auto axis0 = upload(in.axis[0]);
    const auto axis1 = upload(in.n_axes == 2 ? in.axis[1] : std::vector<double>{0.0});
    GridView grid{in.n_axes,
                  {in.ids[0], in.ids[1]},
                  {ptr(axis0), ptr(axis1)},
                  {static_cast<int>(in.axis[0].size()),
                   in.n_axes == 2 ? static_cast<int>(in.axis[1].size()) : 1},
                  in.base};
    const auto n_exp = upload(in.n_exp);
    const auto n_bg = upload(in.n_bg);
    std::vector<double> weights(in.n_exp.size());
    for (std::size_t b = 0; b < weights.size(); ++b)
      weights[b] = in.n_exp[b] > 0.0 ? 1.0 / in.n_exp[b] : 0.0;
    const auto weight = upload(weights);
    auto inverse_variance = [](double sigma) { return sigma > 0.0 ? 1.0 / (sigma * sigma) : -1.0; };
    const StatsView stats{ptr(n_exp),
                          ptr(n_bg),
                          ptr(weight),
                          in.n_bins(),
                          inverse_variance(in.sigma_alpha),
                          inverse_variance(in.sigma_beta),
                          in.sigma_alpha > 0.0 ? 1.0 : 0.0,
                          in.sigma_beta > 0.0 ? 1.0 : 0.0};
#if THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_CUDA
    thrust::device_vector<double> chi2(count);
    double* const result = ptr(chi2);
#else
    double* const result = out;  // host-memory system: the loop writes the caller's array
#endif
    switch (in.evaluator) {
      case ScanInput::kQuadratic: {
        const auto table = upload(in.quadratic_table);
        run_chi2(QuadraticCounts{ptr(table), in.n_bins()}, grid, stats, first, count, result);
        break;
      }
      case ScanInput::kSterile: {
        const auto unaffected = upload(in.unaffected);
        const auto affected = upload(in.affected);
        const auto depletion = upload(in.depletion);
        const SterileCounts counts{ptr(unaffected), ptr(affected), ptr(depletion), in.n_bins(),
                                   in.dm2_axis};
        run_chi2(counts, grid, stats, first, count, result);
        break;
      }
      case ScanInput::kDirect: {
        DeviceRates d(*in.rates);
        const DirectCounts counts{d.view, ptr(d.bin_offsets), in.efficiency};
        run_chi2(counts, grid, stats, first, count, result);
        break;
      }
    }
#if THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_CUDA
    thrust::copy(chi2.begin(), chi2.end(), out);
#endif
  }

 private:
  // χ² of points [first, first + count) into result. On the GPU one thread per point; on CPU
  // threads, whole row segments per task (no per-point index arithmetic, loops the compiler can
  // keep tight).
  template <class Counts>
  static void run_chi2(const Counts& counts, const GridView& grid, const StatsView& stats,
                       std::size_t first, std::size_t count, double* result) {
#if THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_CUDA
    parallel_for(count, Chi2Loop<Counts>{counts, grid, stats, first, result});
#else
    constexpr int kSegment = 1024;
    std::vector<RowSegment> segments;
    const std::size_t n0 = static_cast<std::size_t>(grid.n[0]);
    for (std::size_t p = first; p < first + count;) {
      const int row = static_cast<int>(p / n0), i0 = static_cast<int>(p % n0);
      const int end = static_cast<int>(std::min<std::size_t>(n0, i0 + std::min<std::size_t>(kSegment, first + count - p)));
      segments.push_back(RowSegment{row, i0, end, p - first});
      p += static_cast<std::size_t>(end - i0);
    }
    parallel_for(segments.size(), Chi2RowLoop<Counts>{counts, grid, stats, segments.data(), result});
#endif
  }

  static std::vector<double> to_host(const thrust::device_vector<double>& v) {
    std::vector<double> host(v.size());
    thrust::copy(v.begin(), v.end(), host.begin());
    return host;
  }
  std::string name_;
};

}  // namespace CEVNS_BACKEND_NS
}  // namespace cevns
