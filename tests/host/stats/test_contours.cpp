#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <vector>

#include "host/stats/contours.hpp"

namespace cevns {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<double> linear_grid(double lo, double hi, int n) {
  std::vector<double> x(n);
  for (int i = 0; i < n; ++i) x[i] = lo + (hi - lo) * i / (n - 1);
  return x;
}

std::vector<double> log_grid(double lo, double hi, int n) {
  std::vector<double> x = linear_grid(std::log10(lo), std::log10(hi), n);
  for (double& v : x) v = std::pow(10.0, v);
  return x;
}

// Row-major samples, values[iy * nx + ix] = f(x[ix], y[iy]), as contour_lines expects.
std::vector<double> sample(const std::vector<double>& x, const std::vector<double>& y,
                           const std::function<double(double, double)>& f) {
  std::vector<double> v;
  for (double yv : y) {
    for (double xv : x) v.push_back(f(xv, yv));
  }
  return v;
}

double shoelace_area(const Polyline& p) {
  double twice = 0.0;
  for (std::size_t i = 0; i + 1 < p.x.size(); ++i) {
    twice += p.x[i] * p.y[i + 1] - p.x[i + 1] * p.y[i];
  }
  return std::fabs(twice) / 2.0;
}

void expect_closed(const Polyline& p) {
  EXPECT_TRUE(p.closed);
  ASSERT_GE(p.x.size(), 4u);
  EXPECT_EQ(p.x.front(), p.x.back());
  EXPECT_EQ(p.y.front(), p.y.back());
}

TEST(ContourLines, TracesACircleAsOneClosedLineWithinTheInterpolationError) {
  const double r = 1.0;
  for (int n : {61, 241}) {
    const std::vector<double> g = linear_grid(-1.5, 1.5, n);
    const double h = g[1] - g[0];
    const auto lines =
        contour_lines(g, g, sample(g, g, [](double x, double y) { return x * x + y * y; }), r * r);
    ASSERT_EQ(lines.size(), 1u) << "n = " << n;
    expect_closed(lines[0]);
    // Along an edge the chord of x² + y² lies at most h²/4 above it, so a crossing lies at most
    // h²/4 inside the level set: a radius error below h²/(8r) (to first order).
    const double tolerance = 1.01 * h * h / (8.0 * r);
    for (std::size_t i = 0; i < lines[0].x.size(); ++i) {
      EXPECT_NEAR(std::hypot(lines[0].x[i], lines[0].y[i]), r, tolerance) << "n = " << n;
    }
    EXPECT_NEAR(shoelace_area(lines[0]), kPi * r * r, 0.01 * kPi * r * r) << "n = " << n;
  }
}

TEST(ContourLines, TracesAnEllipseAsOneClosedLineEnclosingPiAB) {
  const double a = 1.5, b = 0.7;
  const std::vector<double> x = linear_grid(-2.0, 2.0, 101), y = linear_grid(-1.0, 1.0, 81);
  const double h = std::max(x[1] - x[0], y[1] - y[0]);
  const auto ellipse = [&](double u, double v) { return (u / a) * (u / a) + (v / b) * (v / b); };
  const auto lines = contour_lines(x, y, sample(x, y, ellipse), 1.0);
  ASSERT_EQ(lines.size(), 1u);
  expect_closed(lines[0]);
  for (std::size_t i = 0; i < lines[0].x.size(); ++i) {
    // The chord error of the value along an edge is at most h²/(4 min(a, b)²).
    EXPECT_NEAR(ellipse(lines[0].x[i], lines[0].y[i]), 1.0, h * h / (4.0 * b * b));
  }
  EXPECT_NEAR(shoelace_area(lines[0]), kPi * a * b, 0.01 * kPi * a * b);
}

TEST(ContourLines, EndsARegionCutByTheGridEdgeOnTheBoundary) {
  // A circle centred on the right edge: the grid holds its left half only.
  const double cx = 1.0, cy = 0.05, r = 0.6;
  const std::vector<double> g = linear_grid(-1.0, 1.0, 81);
  const double h = g[1] - g[0];
  const auto lines = contour_lines(
      g, g,
      sample(g, g, [&](double x, double y) { return (x - cx) * (x - cx) + (y - cy) * (y - cy); }),
      r * r);
  ASSERT_EQ(lines.size(), 1u);
  const Polyline& arc = lines[0];
  EXPECT_FALSE(arc.closed);
  EXPECT_EQ(arc.x.front(), 1.0);
  EXPECT_EQ(arc.x.back(), 1.0);
  EXPECT_NEAR(std::min(arc.y.front(), arc.y.back()), cy - r, h * h);
  EXPECT_NEAR(std::max(arc.y.front(), arc.y.back()), cy + r, h * h);
  for (std::size_t i = 0; i < arc.x.size(); ++i) {
    EXPECT_NEAR(std::hypot(arc.x[i] - cx, arc.y[i] - cy), r, 1.01 * h * h / (8.0 * r));
  }
}

TEST(ContourLines, TracesTwoSeparateCirclesAsTwoClosedLines) {
  const double r = 0.5;
  const std::vector<double> x = linear_grid(-2.0, 2.0, 161), y = linear_grid(-1.0, 1.0, 81);
  const auto two_wells = [](double u, double v) {
    return std::min((u + 1.0) * (u + 1.0) + v * v, (u - 1.0) * (u - 1.0) + v * v);
  };
  const auto lines = contour_lines(x, y, sample(x, y, two_wells), r * r);
  ASSERT_EQ(lines.size(), 2u);
  std::vector<double> centres;
  for (const Polyline& p : lines) {
    expect_closed(p);
    EXPECT_NEAR(shoelace_area(p), kPi * r * r, 0.01 * kPi * r * r);
    double mean_x = 0.0, mean_y = 0.0;
    for (std::size_t i = 0; i + 1 < p.x.size(); ++i) mean_x += p.x[i], mean_y += p.y[i];
    mean_x /= p.x.size() - 1;
    mean_y /= p.x.size() - 1;
    EXPECT_NEAR(mean_y, 0.0, 1e-3);
    centres.push_back(mean_x);
  }
  std::sort(centres.begin(), centres.end());
  EXPECT_NEAR(centres[0], -1.0, 1e-3);
  EXPECT_NEAR(centres[1], 1.0, 1e-3);
}

TEST(ContourLines, InterpolatesInLog10OnLogAxes) {
  // log10 x + 2 log10 y is linear in the log coordinates, where interpolation is then exact.
  const std::vector<double> x = log_grid(1e-3, 1e3, 61), y = log_grid(1e-2, 1e2, 41);
  const auto f = [](double u, double v) { return std::log10(u) + 2.0 * std::log10(v); };
  const double level = 0.37;
  const auto lines = contour_lines(x, y, sample(x, y, f), level, true, true);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(lines[0].closed);
  ASSERT_GE(lines[0].x.size(), 10u);
  for (std::size_t i = 0; i < lines[0].x.size(); ++i) {
    EXPECT_NEAR(f(lines[0].x[i], lines[0].y[i]), level, 1e-12);
  }
  // Both ends on the boundary.
  for (std::size_t i : {std::size_t{0}, lines[0].x.size() - 1}) {
    const double px = lines[0].x[i], py = lines[0].y[i];
    EXPECT_TRUE(px == x.front() || px == x.back() || py == y.front() || py == y.back())
        << px << ", " << py;
  }
}

TEST(ContourLines, MissesTheCrossingOnALogAxisWhenInterpolatingLinearly) {
  // The counterpart of InterpolatesInLog10OnLogAxes: without log_x the crossings drift, which is
  // what the flag is for.
  const std::vector<double> x = log_grid(1e-3, 1e3, 61), y = linear_grid(-3.0, 3.0, 41);
  const auto f = [](double u, double v) { return std::log10(u) - v; };
  const auto lines = contour_lines(x, y, sample(x, y, f), 0.0, false, false);
  ASSERT_EQ(lines.size(), 1u);
  double worst = 0.0;
  for (std::size_t i = 0; i < lines[0].x.size(); ++i) {
    worst = std::max(worst, std::fabs(f(lines[0].x[i], lines[0].y[i])));
  }
  EXPECT_GT(worst, 1e-3);
}

TEST(ContourLines, ResolvesASaddleCellByItsCentreValue) {
  // One cell, corners (0,0) and (1,1) above the level, (1,0) and (0,1) below.
  const std::vector<double> g = {0.0, 1.0};
  // Centre average 0.6 >= 0.5: the high diagonal is connected, the low corners are cut off.
  auto lines = contour_lines(g, g, {1.0, 0.2, 0.2, 1.0}, 0.5);
  ASSERT_EQ(lines.size(), 2u);
  for (const Polyline& p : lines) {
    ASSERT_EQ(p.x.size(), 2u);
    // Each segment cuts off a low corner: (1,0) or (0,1).
    const double corner_x = p.x[0] == 1.0 || p.x[1] == 1.0 ? 1.0 : 0.0;
    EXPECT_TRUE((corner_x == 1.0 && (p.y[0] == 0.0 || p.y[1] == 0.0)) ||
                (corner_x == 0.0 && (p.y[0] == 1.0 || p.y[1] == 1.0)));
  }
  // Centre average 0.4 < 0.5: the low diagonal is connected, the high corners are cut off.
  lines = contour_lines(g, g, {1.0, 0.0, 0.0, 0.6}, 0.5);
  ASSERT_EQ(lines.size(), 2u);
  for (const Polyline& p : lines) {
    ASSERT_EQ(p.x.size(), 2u);
    const bool around_origin = p.x[0] + p.x[1] + p.y[0] + p.y[1] < 2.0;
    if (around_origin) {  // around (0,0): crossings at x = 0.5 on y = 0 and y = 0.5 on x = 0
      EXPECT_DOUBLE_EQ(p.x[0] + p.x[1], 0.5);
      EXPECT_DOUBLE_EQ(p.y[0] + p.y[1], 0.5);
    } else {  // around (1,1): crossings at 1/6 from it along both edges
      EXPECT_DOUBLE_EQ(p.x[0] + p.x[1], 1.0 + 5.0 / 6.0);
      EXPECT_DOUBLE_EQ(p.y[0] + p.y[1], 1.0 + 5.0 / 6.0);
    }
  }
}

TEST(ContourLines, DrawsNothingInCellsTouchingANaN) {
  const std::vector<double> g = linear_grid(-1.5, 1.5, 31);
  const double h = g[1] - g[0];
  std::vector<double> v = sample(g, g, [](double x, double y) { return x * x + y * y; });
  const std::size_t ix = 25, iy = 15;  // the node (1, 0), on the circle r = 1
  v[iy * g.size() + ix] = std::numeric_limits<double>::quiet_NaN();
  const auto lines = contour_lines(g, g, v, 1.0);
  // The four cells around the NaN drop out and break the circle open.
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(lines[0].closed);
  for (std::size_t i = 0; i < lines[0].x.size(); ++i) {
    const bool inside_dropped_cells =
        std::fabs(lines[0].x[i] - g[ix]) < h - 1e-9 && std::fabs(lines[0].y[i] - g[iy]) < h - 1e-9;
    EXPECT_FALSE(inside_dropped_cells) << lines[0].x[i] << ", " << lines[0].y[i];
  }
}

TEST(ContourLines, RejectsValuesOfTheWrongShape) {
  EXPECT_THROW(contour_lines({0.0, 1.0}, {0.0, 1.0, 2.0}, {0.0, 1.0, 2.0, 3.0}, 0.5),
               std::invalid_argument);
}

TEST(RasterExclusion, FindsTheKnownCrossingOfEachRowInLog10X) {
  // Row iy: c + s (log10 x + 2), its minimum on the first column; it rises through t at
  // log10 x = −2 + t/s, which linear interpolation in log10 x hits exactly.
  const std::vector<double> x = log_grid(1e-2, 1e2, 41);
  const double t = 2.71;
  const std::vector<double> slopes = {1.0, 1.7, 2.5, 4.0, 9.0};
  std::vector<double> v;
  for (std::size_t iy = 0; iy < slopes.size(); ++iy) {
    for (double xv : x) v.push_back(3.0 * iy + slopes[iy] * (std::log10(xv) + 2.0));
  }
  const std::vector<double> edge = raster_exclusion(x, slopes.size(), v, t, true);
  ASSERT_EQ(edge.size(), slopes.size());
  for (std::size_t iy = 0; iy < slopes.size(); ++iy) {
    EXPECT_NEAR(std::log10(edge[iy]), -2.0 + t / slopes[iy], 1e-12) << "row " << iy;
  }
}

TEST(RasterExclusion, IgnoresCrossingsBelowTheRowMinimum) {
  // |log10 x − 0.5| rises through t on both sides of its minimum; only the larger x counts.
  const std::vector<double> x = log_grid(1e-2, 1e2, 41);  // log10 x = 0.5 is x[25]
  const double t = 1.2;
  std::vector<double> v;
  for (double xv : x) v.push_back(0.8 + 2.0 * std::fabs(std::log10(xv) - 0.5));
  const std::vector<double> edge = raster_exclusion(x, 1, v, t, true);
  EXPECT_NEAR(std::log10(edge[0]), 0.5 + t / 2.0, 1e-12);
}

TEST(RasterExclusion, IsNaNWhereTheRowNeverCrosses) {
  const std::vector<double> x = log_grid(1e-2, 1e2, 41);
  std::vector<double> v;
  for (double xv : x) v.push_back(0.1 * std::log10(xv));             // rises by 0.4 only
  v.resize(2 * x.size(), std::numeric_limits<double>::quiet_NaN());  // a row with no values
  const std::vector<double> edge = raster_exclusion(x, 2, v, 2.71, true);
  EXPECT_TRUE(std::isnan(edge[0]));
  EXPECT_TRUE(std::isnan(edge[1]));
}

TEST(RasterExclusion, InterpolatesLinearlyInXWithoutLogX) {
  const std::vector<double> x = linear_grid(0.0, 10.0, 11);
  std::vector<double> v;
  for (double xv : x) v.push_back(0.5 * xv);
  const std::vector<double> edge = raster_exclusion(x, 1, v, 4.61, false);
  EXPECT_NEAR(edge[0], 4.61 / 0.5, 1e-12);
}

}  // namespace
}  // namespace cevns
