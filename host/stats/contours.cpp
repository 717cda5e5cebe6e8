#include "host/stats/contours.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace cevns {
namespace {

std::vector<double> interpolation_axis(const std::vector<double>& axis, bool log_axis) {
  std::vector<double> out(axis);
  if (log_axis) {
    for (double& v : out) v = std::log10(v);
  }
  return out;
}

double real_coordinate(double u, bool log_axis) { return log_axis ? std::pow(10.0, u) : u; }

// Every cell edge that the level set crosses becomes one vertex of a chain; the marching-squares
// segments are the links between them. An edge is shared by at most two cells and used once by
// each, so every vertex has at most two links: the graph falls apart into open chains (ends on
// the boundary or beside a NaN cell) and cycles, which a walk recovers without any coordinate
// matching. Only crossed edges are stored (a contour has O(perimeter) of them), so the memory
// does not grow with the grid.
class EdgeGraph {
 public:
  static constexpr std::int64_t kNone = -1;

  void link(std::int64_t a, std::int64_t b) {
    add(a, b);
    add(b, a);
  }
  // The crossed edges in increasing order (the walks start from them in this order, so the
  // polylines come out in the same order whatever the hash table's).
  std::vector<std::int64_t> edges() const {
    std::vector<std::int64_t> e;
    e.reserve(links_.size());
    for (const auto& item : links_) e.push_back(item.first);
    std::sort(e.begin(), e.end());
    return e;
  }
  int degree(std::int64_t e) const {
    const auto& l = links_.at(e);
    return (l[0] != kNone) + (l[1] != kNone);
  }
  std::int64_t next(std::int64_t e, std::int64_t prev) const {
    const auto& l = links_.at(e);
    return l[0] != prev ? l[0] : l[1];
  }

 private:
  void add(std::int64_t from, std::int64_t to) {
    auto& l = links_.try_emplace(from, std::array<std::int64_t, 2>{kNone, kNone}).first->second;
    (l[0] == kNone ? l[0] : l[1]) = to;
  }
  std::unordered_map<std::int64_t, std::array<std::int64_t, 2>> links_;
};

}  // namespace

struct ContourBuilder::State {
  std::vector<double> x, y, u, w;
  double level;
  bool log_x, log_y;
  std::size_t nx, ny;
  std::int64_t n_horizontal;
  EdgeGraph graph;
  // The crossing of every linked edge, computed when its cell is added.
  std::unordered_map<std::int64_t, std::pair<double, double>> crossings;
};

ContourBuilder::ContourBuilder(std::vector<double> x, std::vector<double> y, double level,
                               bool log_x, bool log_y)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.u = interpolation_axis(x, log_x);
  s.w = interpolation_axis(y, log_y);
  s.nx = x.size();
  s.ny = y.size();
  s.x = std::move(x);
  s.y = std::move(y);
  s.level = level;
  s.log_x = log_x;
  s.log_y = log_y;
  // Edge ids: horizontal edges (ix, iy)–(ix+1, iy) first, then vertical (ix, iy)–(ix, iy+1).
  s.n_horizontal = s.nx < 2 ? 0 : static_cast<std::int64_t>(s.ny * (s.nx - 1));
}

ContourBuilder::~ContourBuilder() = default;
ContourBuilder::ContourBuilder(ContourBuilder&&) noexcept = default;
ContourBuilder& ContourBuilder::operator=(ContourBuilder&&) noexcept = default;

void ContourBuilder::add_cells(std::size_t first_row, std::size_t n_cell_rows,
                               const double* values) {
  State& s = *state_;
  const std::size_t nx = s.nx;
  if (nx < 2 || s.ny < 2 || n_cell_rows == 0) return;
  if (first_row + n_cell_rows >= s.ny)
    throw std::invalid_argument("ContourBuilder: cell rows beyond the grid");
  const double level = s.level;
  // Local row r of `values` is grid row first_row + r.
  const auto value = [&](std::size_t ix, std::size_t r) { return values[r * nx + ix]; };
  const auto above = [&](double v) { return v >= level; };
  const auto horizontal = [&](std::size_t ix, std::size_t iy) {
    return static_cast<std::int64_t>(iy * (nx - 1) + ix);
  };
  const auto vertical = [&](std::size_t ix, std::size_t iy) {
    return s.n_horizontal + static_cast<std::int64_t>(iy * nx + ix);
  };
  // The crossing on an edge, interpolated linearly in the (possibly log10) coordinates; the
  // coordinate along which the edge does not move is returned as the grid value itself, so that
  // boundary end points lie exactly on the boundary.
  const auto record = [&](std::int64_t e) {
    if (s.crossings.count(e)) return;
    double px, py;
    if (e < s.n_horizontal) {
      const std::size_t iy = static_cast<std::size_t>(e) / (nx - 1);
      const std::size_t ix = static_cast<std::size_t>(e) % (nx - 1);
      const std::size_t r = iy - first_row;
      const double va = value(ix, r), vb = value(ix + 1, r);
      const double t = (level - va) / (vb - va);
      px = real_coordinate(s.u[ix] + t * (s.u[ix + 1] - s.u[ix]), s.log_x);
      py = s.y[iy];
    } else {
      const std::size_t iy = static_cast<std::size_t>(e - s.n_horizontal) / nx;
      const std::size_t ix = static_cast<std::size_t>(e - s.n_horizontal) % nx;
      const std::size_t r = iy - first_row;
      const double va = value(ix, r), vb = value(ix, r + 1);
      const double t = (level - va) / (vb - va);
      px = s.x[ix];
      py = real_coordinate(s.w[iy] + t * (s.w[iy + 1] - s.w[iy]), s.log_y);
    }
    s.crossings.emplace(e, std::make_pair(px, py));
  };
  const auto link = [&](std::int64_t a, std::int64_t b) {
    s.graph.link(a, b);
    record(a);
    record(b);
  };
  for (std::size_t r = 0; r < n_cell_rows; ++r) {
    const std::size_t iy = first_row + r;
    for (std::size_t ix = 0; ix + 1 < nx; ++ix) {
      const double v00 = value(ix, r), v10 = value(ix + 1, r);
      const double v01 = value(ix, r + 1), v11 = value(ix + 1, r + 1);
      if (std::isnan(v00) || std::isnan(v10) || std::isnan(v01) || std::isnan(v11)) continue;
      const bool a00 = above(v00), a10 = above(v10), a01 = above(v01), a11 = above(v11);
      const std::int64_t bottom = horizontal(ix, iy), top = horizontal(ix, iy + 1);
      const std::int64_t left = vertical(ix, iy), right = vertical(ix + 1, iy);
      std::int64_t crossed[4];
      int n_crossed = 0;
      if (a00 != a10) crossed[n_crossed++] = bottom;
      if (a10 != a11) crossed[n_crossed++] = right;
      if (a01 != a11) crossed[n_crossed++] = top;
      if (a00 != a01) crossed[n_crossed++] = left;
      if (n_crossed == 2) {
        link(crossed[0], crossed[1]);
      } else if (n_crossed == 4) {
        // Saddle: if the centre sides with the v00/v11 diagonal, that diagonal is connected
        // through the cell and the segments cut off the other two corners, and vice versa.
        const bool centre_above = above(0.25 * (v00 + v10 + v01 + v11));
        if (centre_above == a00) {
          link(bottom, right);  // around v10
          link(left, top);      // around v01
        } else {
          link(bottom, left);  // around v00
          link(right, top);    // around v11
        }
      }
    }
  }
}

std::vector<Polyline> ContourBuilder::lines() const {
  const State& s = *state_;
  const EdgeGraph& graph = s.graph;
  std::vector<Polyline> lines;
  std::unordered_set<std::int64_t> visited;
  const auto walk = [&](std::int64_t start) {
    Polyline line{{}, {}, false};
    std::int64_t prev = EdgeGraph::kNone, cur = start;
    while (true) {
      visited.insert(cur);
      const auto [px, py] = s.crossings.at(cur);
      // A level value exactly on a grid node puts the crossings of several edges on that node.
      if (line.x.empty() || px != line.x.back() || py != line.y.back()) {
        line.x.push_back(px);
        line.y.push_back(py);
      }
      const std::int64_t next = graph.next(cur, prev);
      if (next == start) line.closed = true;
      if (next == EdgeGraph::kNone || visited.count(next)) break;
      prev = cur;
      cur = next;
    }
    if (line.closed && (line.x.back() != line.x.front() || line.y.back() != line.y.front())) {
      line.x.push_back(line.x.front());
      line.y.push_back(line.y.front());
    }
    // A loop shrunk onto one grid node (a level value exactly at an isolated extremum) has no
    // extent: not a line.
    if (line.x.size() >= 2 && (line.x.size() > 2 || !line.closed)) lines.push_back(std::move(line));
  };
  // Open chains first, from either end, so that no chain is entered in its middle.
  const std::vector<std::int64_t> edges = graph.edges();
  for (std::int64_t e : edges)
    if (!visited.count(e) && graph.degree(e) == 1) walk(e);
  for (std::int64_t e : edges)
    if (!visited.count(e) && graph.degree(e) == 2) walk(e);
  return lines;
}

std::vector<Polyline> contour_lines(const std::vector<double>& x, const std::vector<double>& y,
                                    const std::vector<double>& values, double level, bool log_x,
                                    bool log_y) {
  const std::size_t nx = x.size(), ny = y.size();
  if (values.size() != nx * ny) {
    throw std::invalid_argument("contour_lines: values must hold x.size() * y.size() points");
  }
  if (nx < 2 || ny < 2) return {};
  ContourBuilder builder(x, y, level, log_x, log_y);
  builder.add_cells(0, ny - 1, values.data());
  return builder.lines();
}

std::vector<double> raster_exclusion(const std::vector<double>& x, std::size_t ny,
                                     const std::vector<double>& values, double threshold,
                                     bool log_x) {
  const std::size_t nx = x.size();
  if (values.size() != nx * ny) {
    throw std::invalid_argument("raster_exclusion: values must hold x.size() * ny points");
  }
  const std::vector<double> u = interpolation_axis(x, log_x);
  std::vector<double> edge(ny, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t iy = 0; iy < ny; ++iy) {
    const double* row = values.data() + iy * nx;
    std::size_t best = nx;
    for (std::size_t ix = 0; ix < nx; ++ix) {
      if (!std::isnan(row[ix]) && (best == nx || row[ix] < row[best])) best = ix;
    }
    if (best == nx) continue;
    const double row_min = row[best];
    for (std::size_t ix = best; ix < nx; ++ix) {
      // Beyond a NaN the row's course is unknown: better no limit than a wrong one.
      if (std::isnan(row[ix])) break;
      const double d = row[ix] - row_min;
      if (d < threshold) continue;
      if (ix == best) {
        edge[iy] = x[ix];  // threshold <= 0: the minimum itself is excluded
      } else {
        const double d_prev = row[ix - 1] - row_min;
        const double t = (threshold - d_prev) / (d - d_prev);
        edge[iy] = t >= 1.0 ? x[ix] : real_coordinate(u[ix - 1] + t * (u[ix] - u[ix - 1]), log_x);
      }
      break;
    }
  }
  return edge;
}

}  // namespace cevns
