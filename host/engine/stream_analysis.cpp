#include "host/engine/stream_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <tuple>

#include "host/stats/contours.hpp"
#include "host/stats/minimise.hpp"

namespace cevns {

std::size_t stream_rows_per_block(std::size_t row_points, std::size_t memory_bytes) {
  const std::size_t per_row = std::max<std::size_t>(1, row_points) * kStreamBytesPerPoint;
  return std::max<std::size_t>(1, memory_bytes / per_row);
}

void analyse_grid_streamed(const ScanModel& model, const Study& study, ScanResult* r,
                           const GridRowReader& chi2, std::size_t rows_per_block,
                           const std::function<void(const GridRowBlock&)>& write) {
  const ScanSpec& scan = *r->spec;
  if (scan.axes.size() != 2)
    throw std::invalid_argument("analyse_grid_streamed: a 2-D grid is needed");
  const std::vector<double>& x0 = r->axes[0];
  const std::vector<double>& x1 = r->axes[1];
  const std::size_t n0 = x0.size(), n1 = x1.size();
  const std::size_t block = std::max<std::size_t>(1, rows_per_block);
  const bool fc = !r->critical_delta_chi2.empty();
  if (fc && r->critical_delta_chi2.size() != n0 * n1)
    throw std::invalid_argument("analyse_grid_streamed: critical values of another grid");
  std::vector<bool> log_axes;
  for (const auto& a : scan.axes) log_axes.push_back(a.log);
  const auto critical_at = [&](const std::vector<double>& x) {
    return fc ? interpolate_on_grid(r->axes, log_axes, r->critical_delta_chi2, x) : 0.0;
  };
  r->threshold = study.analysis.delta_chi2_2d;
  r->chi2.clear();
  r->delta_chi2.clear();

  // Pass 1: the starts of the minimisation and the raster exclusion.
  GridMinimumStarts starts(n0, n1);
  if (scan.is_sterile()) {
    r->raster_threshold = study.analysis.delta_chi2_1d;
    r->raster_exclusion.clear();
  }
  {
    std::vector<double> rows, own;
    for (std::size_t b0 = 0; b0 < n1; b0 += block) {
      const std::size_t b1 = std::min(n1, b0 + block);
      const std::size_t lo = b0 > 0 ? b0 - 1 : 0, hi = std::min(n1, b1 + 1);
      rows.resize((hi - lo) * n0);
      chi2(lo, hi - lo, rows.data());
      for (std::size_t i1 = b0; i1 < b1; ++i1) {
        const double* row = rows.data() + (i1 - lo) * n0;
        starts.add_row(i1, i1 > 0 ? row - n0 : nullptr, row, i1 + 1 < n1 ? row + n0 : nullptr);
      }
      if (scan.is_sterile()) {
        own.assign(rows.begin() + (b0 - lo) * n0, rows.begin() + (b1 - lo) * n0);
        const std::vector<double> edge =
            raster_exclusion(x0, b1 - b0, own, r->raster_threshold, scan.axes[0].log);
        r->raster_exclusion.insert(r->raster_exclusion.end(), edge.begin(), edge.end());
      }
    }
  }
  std::tie(r->best_fit, r->chi2_min) = minimise_from_starts(
      [&](const std::vector<double>& x) { return model.chi2(model.model_at(x)); }, x0, x1,
      starts.starts(), scan.axes);

  // Pass 2: Δχ², contours, mediator row exclusions.
  ContourBuilder contours(x0, x1, fc ? 0.0 : r->threshold, scan.axes[0].log, scan.axes[1].log);
  if (scan.is_mediator_plane()) r->row_exclusion.clear();
  {
    std::vector<double> rows, delta, field, last_row, fc_chi2;
    for (std::size_t b0 = 0; b0 < n1; b0 += block) {
      const std::size_t b1 = std::min(n1, b0 + block), n = b1 - b0;
      rows.resize(n * n0);
      chi2(b0, n, rows.data());
      delta.resize(n * n0);
      for (std::size_t i = 0; i < delta.size(); ++i) delta[i] = rows[i] - r->chi2_min;
      // The contoured field: the previous block's last row, then this block's rows.
      const std::size_t kept = b0 > 0 ? n0 : 0;
      field.resize(kept + n * n0);
      std::copy(last_row.begin(), last_row.begin() + kept, field.begin());
      for (std::size_t i = 0; i < n * n0; ++i)
        field[kept + i] = fc ? delta[i] - r->critical_delta_chi2[b0 * n0 + i] : delta[i];
      if (b0 > 0)
        contours.add_cells(b0 - 1, n, field.data());
      else if (n > 1)
        contours.add_cells(0, n - 1, field.data());
      if (scan.is_mediator_plane()) {
        if (fc) {
          fc_chi2.resize(n * n0);
          for (std::size_t i = 0; i < fc_chi2.size(); ++i)
            fc_chi2[i] = rows[i] - r->critical_delta_chi2[b0 * n0 + i];
        }
        const std::vector<double> e = grid_row_exclusion(x0, n, fc ? fc_chi2 : rows, r->chi2_min,
                                                         fc ? 0.0 : r->threshold, scan.axes[0].log);
        r->row_exclusion.insert(r->row_exclusion.end(), e.begin(), e.end());
      }
      last_row.assign(field.end() - n0, field.end());
      write(GridRowBlock{b0, n, rows.data(), delta.data()});
    }
  }
  r->contours = contours.lines();

  // The exclusions at fixed Δm² or mass evaluate the model, as analyse_grid does.
  r->exclusion.clear();
  r->allowed_bands.clear();
  const auto margin = [&](double x, double y) {
    return model.chi2(model.model_at({x, y})) - critical_at({x, y});
  };
  if (scan.is_sterile())
    append_fixed_row_exclusions(
        x0, scan.axes[1], false, margin,
        fc || !scan.raster ? std::optional<double>(r->chi2_min) : std::nullopt,
        fc            ? 0.0
        : scan.raster ? r->raster_threshold
                      : r->threshold,
        &r->exclusion, &r->allowed_bands);
  if (scan.is_mediator_plane())
    append_fixed_row_exclusions(x0, scan.axes[1], true, margin, r->chi2_min,
                                fc ? 0.0 : r->threshold, &r->exclusion, &r->allowed_bands);
}

}  // namespace cevns
