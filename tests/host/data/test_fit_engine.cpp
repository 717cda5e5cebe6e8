// The data fits on the engine (host/data/fit.hpp, data_grid): the grid the backend computes with
// the Poisson statistic is, at every point, the profiled −2 ln λ of the vector wrapper
// (profiled_chi2, host/stats/likelihood.hpp) — the signal folded through the release's response
// on the host, the normalisations profiled by the same kernel — and the CPU backend gives it bit
// for bit with the CUDA backend's loop structure (segments of one point). Planes of NSI, sterile
// mixing and each light mediator.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "host/config/parameters.hpp"
#include "host/data/fit.hpp"
#include "tests/host/data/shipped_data.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::backend;
using testing::shipped_data_set;

std::vector<double> linear(double lo, double hi, int n) {
  std::vector<double> x(n);
  for (int i = 0; i < n; ++i) x[i] = lo + (hi - lo) * i / (n - 1);
  return x;
}

std::vector<double> logarithmic(double lo, double hi, int n) {
  std::vector<double> x = linear(std::log10(lo), std::log10(hi), n);
  for (double& v : x) v = std::pow(10.0, v);
  return x;
}

struct Plane {
  std::string name;
  std::vector<GridAxis> axes;
  int channel;
  int mediator = kNoMediator;
  PhysicsModel base() const {  // the other parameters at the SM
    PhysicsModel m = standard_model();
    m.sterile_channel = channel;
    m.mediator = mediator;
    return m;
  }
};

// Mediator planes: the factorised tables folded through the response (Backend::mediator_tables)
// against the direct recoil integral of every entry folded on the host (CountsModel::counts).
const std::vector<Plane>& planes() {
  const auto mediator_plane = [](const std::string& name, int mediator) {
    return Plane{name,
                 {{kMediatorCoupling, logarithmic(1e-5, 0.3, 7)},
                  {kMediatorMass, logarithmic(1e-2, 1e4, 5)}},
                 kNoSterile,
                 mediator};
  };
  static const std::vector<Plane> p = {
      {"nsi", {{kEpsEEu, linear(-0.4, 0.6, 7)}, {kEpsETauu, linear(-0.5, 0.45, 5)}}, kNoSterile},
      {"sterile_nue",
       {{kSin22Theta, logarithmic(1e-2, 1.0, 7)}, {kDm2, logarithmic(0.3, 30.0, 5)}},
       kNuEDisappearance},
      mediator_plane("vector_universal", kVectorUniversal),
      mediator_plane("vector_b_minus_l", kVectorBMinusL),
      mediator_plane("vector_lmu_ltau", kVectorLmuLtau),
      mediator_plane("scalar", kScalar)};
  return p;
}

TEST(FitEngine, DataGridEqualsProfiledChi2AtEveryPoint) {
  CEVNS_SKIP_WITHOUT_DATA("csi2021");
  const DataSet& d = shipped_data_set("csi2021");
  Progress quiet(Progress::Mode::kQuiet);
  for (const Plane& plane : planes()) {
    const DataGrid g = data_grid(d, d.data, plane.axes, plane.base(), backend(), quiet, plane.name);
    const std::size_t n0 = plane.axes[0].values.size(), n1 = plane.axes[1].values.size();
    ASSERT_EQ(g.chi2.size(), n0 * n1) << plane.name;
    double worst = 0.0;
    for (std::size_t i1 = 0; i1 < n1; ++i1)
      for (std::size_t i0 = 0; i0 < n0; ++i0) {
        PhysicsModel m = plane.base();
        m.value[plane.axes[0].id] = plane.axes[0].values[i0];
        m.value[plane.axes[1].id] = plane.axes[1].values[i1];
        const double expected = profiled_chi2(d, d.data, m);
        ASSERT_TRUE(std::isfinite(expected)) << plane.name;
        worst = std::max(worst, std::fabs(g.chi2[i1 * n0 + i0] - expected) / std::fabs(expected));
      }
    EXPECT_LT(worst, 1e-9) << plane.name;
  }
}

TEST(FitEngine, DataGridWithOnePointSegmentsIsBitIdentical) {
  CEVNS_SKIP_WITHOUT_DATA("csi2021");
  const DataSet& d = shipped_data_set("csi2021");
  Progress quiet(Progress::Mode::kQuiet);
  auto one = make_cpu_backend(1);  // the CUDA backend's loop structure
  for (const Plane& plane : planes()) {
    const DataGrid a = data_grid(d, d.data, plane.axes, plane.base(), backend(), quiet, plane.name);
    const DataGrid b = data_grid(d, d.data, plane.axes, plane.base(), *one, quiet, plane.name);
    ASSERT_EQ(a.chi2.size(), b.chi2.size());
    for (std::size_t i = 0; i < a.chi2.size(); ++i)
      EXPECT_EQ(std::memcmp(&a.chi2[i], &b.chi2[i], sizeof(double)), 0)
          << plane.name << " point " << i << ": " << a.chi2[i] << " vs " << b.chi2[i];
  }
}

}  // namespace
}  // namespace cevns
