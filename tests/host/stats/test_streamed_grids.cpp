// Contours and minimisation starts of a grid read in blocks of rows (streamed scans): the same
// as from the whole grid, bit for bit, whatever the block size.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "host/stats/contours.hpp"
#include "host/stats/minimise.hpp"

namespace cevns {
namespace {

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

void expect_same_lines(const std::vector<Polyline>& a, const std::vector<Polyline>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    EXPECT_TRUE(same_bits(a[k].x, b[k].x)) << "line " << k;
    EXPECT_TRUE(same_bits(a[k].y, b[k].y)) << "line " << k;
    EXPECT_EQ(a[k].closed, b[k].closed) << "line " << k;
  }
}

// The cells of rows [b0, b1) need grid rows b0 … b1: each block of rows is added with the last
// row of the block before, as a streamed scan does.
std::vector<Polyline> contours_in_blocks(const std::vector<double>& x, const std::vector<double>& y,
                                         const std::vector<double>& v, double level,
                                         std::size_t block, bool log_x, bool log_y) {
  const std::size_t nx = x.size(), ny = y.size();
  ContourBuilder builder(x, y, level, log_x, log_y);
  for (std::size_t b0 = 0; b0 < ny; b0 += block) {
    const std::size_t b1 = std::min(ny, b0 + block);
    const std::size_t first = b0 > 0 ? b0 - 1 : 0;
    const std::vector<double> rows(v.begin() + first * nx, v.begin() + b1 * nx);
    if (b1 - first >= 2) builder.add_cells(first, b1 - first - 1, rows.data());
  }
  return builder.lines();
}

TEST(ContourBuilder, BlocksOfRowsGiveTheWholeGridsLinesBitForBit) {
  // Rings, saddles, values exactly at the level, NaN holes and lines cut by the boundary.
  std::vector<double> x, y;
  for (int i = 0; i < 37; ++i) x.push_back(std::pow(10.0, -3.0 + 3.0 * i / 36));
  for (int i = 0; i < 29; ++i) y.push_back(std::pow(10.0, -2.0 + 4.0 * i / 28));
  std::vector<double> v;
  for (std::size_t iy = 0; iy < y.size(); ++iy)
    for (std::size_t ix = 0; ix < x.size(); ++ix) {
      const double u = std::log10(x[ix]) + 1.5, w = std::log10(y[iy]);
      double value = std::sin(3.0 * u) * std::cos(2.5 * w) * 6.0 + 4.6;
      if ((ix + 3 * iy) % 41 == 0) value = 4.61;  // on the level
      if (ix == 20 && iy == 14) value = std::numeric_limits<double>::quiet_NaN();
      v.push_back(value);
    }
  for (bool log_axes : {false, true}) {
    const auto whole = contour_lines(x, y, v, 4.61, log_axes, log_axes);
    ASSERT_GE(whole.size(), 4u);
    for (std::size_t block : {1, 2, 3, 5, 28, 29, 100})
      expect_same_lines(whole, contours_in_blocks(x, y, v, 4.61, block, log_axes, log_axes));
  }
}

TEST(ContourBuilder, AddsCellsOnlyInsideTheGrid) {
  ContourBuilder b({0.0, 1.0}, {0.0, 1.0}, 0.5);
  const double values[4] = {0.0, 1.0, 0.0, 1.0};
  EXPECT_THROW(b.add_cells(1, 1, values), std::invalid_argument);
  b.add_cells(0, 1, values);
  ASSERT_EQ(b.lines().size(), 1u);
  EXPECT_EQ(b.lines()[0].x, (std::vector<double>{0.5, 0.5}));
}

// The starts of minimise_grid_2d by their definition: every finite point no higher than its
// (up to) 8 neighbours, stably sorted by value, the lowest max_starts; else the first minimum.
std::vector<std::pair<std::size_t, double>> reference_starts(const std::vector<double>& g,
                                                             std::size_t n0, std::size_t n1,
                                                             std::size_t max_starts) {
  std::vector<std::size_t> s;
  for (std::size_t i1 = 0; i1 < n1; ++i1)
    for (std::size_t i0 = 0; i0 < n0; ++i0) {
      const double v = g[i1 * n0 + i0];
      bool lowest = std::isfinite(v);
      for (long b = -1; b <= 1; ++b)
        for (long a = -1; a <= 1; ++a) {
          const long j0 = static_cast<long>(i0) + a, j1 = static_cast<long>(i1) + b;
          if ((a != 0 || b != 0) && j0 >= 0 && j1 >= 0 && j0 < static_cast<long>(n0) &&
              j1 < static_cast<long>(n1) && g[j1 * n0 + j0] < v)
            lowest = false;
        }
      if (lowest) s.push_back(i1 * n0 + i0);
    }
  std::stable_sort(s.begin(), s.end(), [&](std::size_t a, std::size_t b) { return g[a] < g[b]; });
  if (s.size() > max_starts) s.resize(max_starts);
  std::vector<std::pair<std::size_t, double>> out;
  for (std::size_t i : s) out.emplace_back(i, g[i]);
  if (out.empty()) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < g.size(); ++i)
      if (g[i] < g[best]) best = i;
    out.emplace_back(best, g[best]);
  }
  return out;
}

std::vector<std::pair<std::size_t, double>> tracked_starts(const std::vector<double>& g,
                                                           std::size_t n0, std::size_t n1,
                                                           std::size_t max_starts) {
  GridMinimumStarts t(n0, n1, max_starts);
  for (std::size_t i1 = 0; i1 < n1; ++i1) {
    const std::vector<double> row(g.begin() + i1 * n0, g.begin() + (i1 + 1) * n0);
    std::vector<double> below, above;  // separate copies, as blocks read from a file are
    if (i1 > 0) below.assign(g.begin() + (i1 - 1) * n0, g.begin() + i1 * n0);
    if (i1 + 1 < n1) above.assign(g.begin() + (i1 + 1) * n0, g.begin() + (i1 + 2) * n0);
    t.add_row(i1, i1 > 0 ? below.data() : nullptr, row.data(),
              i1 + 1 < n1 ? above.data() : nullptr);
  }
  return t.starts();
}

TEST(GridMinimumStarts, TakesTheLowestLocalMinimaInGridOrderOfTies) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> level(0, 5);  // few levels: plateaus and ties everywhere
  for (int trial = 0; trial < 50; ++trial) {
    const std::size_t n0 = 1 + trial % 9, n1 = 1 + (trial * 7) % 11;
    std::vector<double> g(n0 * n1);
    for (double& v : g) v = level(rng);
    if (trial % 5 == 0) g[trial % g.size()] = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t max_starts : {1, 3, 5, 1000}) {
      const auto a = tracked_starts(g, n0, n1, max_starts);
      const auto b = reference_starts(g, n0, n1, max_starts);
      ASSERT_EQ(a.size(), b.size()) << "trial " << trial << ", max_starts " << max_starts;
      for (std::size_t k = 0; k < a.size(); ++k) {  // values compared as bits (NaN included)
        EXPECT_EQ(a[k].first, b[k].first) << "trial " << trial << ", max_starts " << max_starts;
        EXPECT_EQ(std::memcmp(&a[k].second, &b[k].second, sizeof(double)), 0);
      }
    }
  }
}

TEST(GridMinimumStarts, FallsBackToTheFirstLowestPointWithoutAFiniteMinimum) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> g = {inf, inf, inf, inf};
  const auto s = tracked_starts(g, 2, 2, 5);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].first, 0u);
}

}  // namespace
}  // namespace cevns
