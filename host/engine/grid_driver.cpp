#include "host/engine/grid_driver.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>

#include "host/core/error.hpp"
#include "host/core/interrupt.hpp"

namespace cevns {

GridRows grid_rows(const ScanInput& in, std::size_t chunk_points) {
  GridRows g;
  const std::size_t n0 = in.axis[0].size();
  g.n_rows = in.n_axes == 2 ? in.axis[1].size() : n0;
  g.row_points = in.n_axes == 2 ? n0 : 1;
  g.rows_per_chunk = std::max<std::size_t>(1, chunk_points / g.row_points);
  return g;
}

std::pair<std::size_t, std::size_t> shard_row_range(std::size_t n_rows, std::size_t index,
                                                    std::size_t count) {
  const auto begin = [&](std::size_t k) {
    return k * (n_rows / count) + std::min(k, n_rows % count);
  };
  return {begin(index), begin(index + 1)};
}

Shard parse_shard(const std::string& text) {
  const auto bad = [&]() {
    return InputError("--shard", "", "expected K/N with 0 <= K < N, got \"" + text + "\"");
  };
  const std::size_t slash = text.find('/');
  if (slash == std::string::npos) throw bad();
  const auto number = [&](const std::string& s) {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
      throw bad();
    return static_cast<std::size_t>(std::stoul(s));
  };
  Shard shard;
  shard.index = number(text.substr(0, slash));
  shard.count = number(text.substr(slash + 1));
  if (shard.count == 0 || shard.index >= shard.count) throw bad();
  return shard;
}

std::size_t chunk_count(const GridRows& rows, std::size_t row_begin, std::size_t row_end) {
  if (row_end <= row_begin) return 0;
  return (row_end - row_begin + rows.rows_per_chunk - 1) / rows.rows_per_chunk;
}

std::size_t run_grids(const std::vector<GridJob>& jobs, Backend& backend, std::size_t chunk_points,
                      Progress& progress, const GridHooks& hooks) {
  std::size_t computed = 0;
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const GridJob& job = jobs[j];
    const ScanInput& in = job.model->input();
    const GridRows rows = grid_rows(in, chunk_points);
    const std::size_t total = rows.n_rows * rows.row_points;
    // A streamed job (no grid) computes each chunk into a buffer of one chunk.
    std::vector<double> chunk_buffer;
    if (job.chi2 != nullptr && job.chi2->size() != total)
      job.chi2->assign(total, std::numeric_limits<double>::quiet_NaN());
    const std::size_t row_end = std::min(job.row_end, rows.n_rows);
    const std::size_t row_begin = std::min(job.row_begin, row_end);
    const std::size_t n_chunks = chunk_count(rows, row_begin, row_end);
    progress.start(job.label, (row_end - row_begin) * rows.row_points);
    std::unique_ptr<GridEvaluator> evaluator;  // prepared at the first chunk to compute
    std::size_t slice = 256;                   // points per backend call, adapted to the speed
    for (std::size_t c = 0; c < n_chunks; ++c) {
      const std::size_t row = row_begin + c * rows.rows_per_chunk;
      const std::size_t n = std::min(rows.rows_per_chunk, row_end - row);
      const std::size_t first = row * rows.row_points, count = n * rows.row_points;
      if (hooks.done && hooks.done(j, c)) {
        progress.advance(count);
        continue;
      }
      if (!evaluator) evaluator = backend.prepare(in);
      double* values = job.chi2 != nullptr ? job.chi2->data() + first : nullptr;
      if (values == nullptr) {
        chunk_buffer.resize(count);
        values = chunk_buffer.data();
      }
      for (std::size_t done = 0; done < count;) {
        throw_if_interrupted();
        if (hooks.poll) hooks.poll();
        const std::size_t n = std::min(slice, count - done);
        const auto t0 = std::chrono::steady_clock::now();
        evaluator->chi2(first + done, n, values + done);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        done += n;
        // The next slice: as many points as the last speed allows in kSliceSeconds, growing at
        // most 8-fold (a first slice can be slowed by a cold cache or a busy machine).
        const double fit = seconds > 0.0 ? n * kSliceSeconds / seconds : 8.0 * n;
        slice = std::max<std::size_t>(1, static_cast<std::size_t>(std::min(fit, 8.0 * n)));
      }
      ++computed;
      if (hooks.finished) hooks.finished(j, c, row, n, values);
      progress.advance(count);
    }
    progress.finish();
  }
  return computed;
}

std::vector<double> compute_grid(const ScanModel& model, Backend& backend, Progress& progress,
                                 const std::string& label, std::size_t chunk_points) {
  std::vector<double> chi2;
  run_grids({GridJob{&model, &chi2, 0, static_cast<std::size_t>(-1), label}}, backend, chunk_points,
            progress);
  return chi2;
}

}  // namespace cevns
