#include "host/io/checkpoint.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "host/core/error.hpp"
#include "host/core/interrupt.hpp"
#include "host/engine/stream_analysis.hpp"

namespace cevns {

std::string study_hash(const Study& study) { return sha256_hex(study.json.dump()); }

// --- checkpoint files
// -----------------------------------------------------------------------------

namespace {

void write_root_info(h5::Group root, const ScanFileInfo& info, bool checkpoint) {
  write_provenance(root, info.provenance, info.shard ? "scan_shard" : "scan");
  root.set_attr("study_hash", info.study_hash);
  if (info.shard) {
    root.set_attr("shard_index", info.shard->index);
    root.set_attr("shard_count", info.shard->count);
  }
  if (checkpoint) root.set_attr("chunk_points", info.chunk_points);
  if (info.merged_shards > 0) root.set_attr("merged_shards", info.merged_shards);
}

std::string describe_shard(const std::optional<Shard>& s) {
  return s ? "--shard " + std::to_string(s->index) + "/" + std::to_string(s->count) : "no --shard";
}

}  // namespace

Checkpoint Checkpoint::create(const std::string& path, const ScanFileInfo& info) {
  // Written under a temporary name until add_groups() has the whole layout on disk, then renamed:
  // a kill while HDF5 writes the layout's metadata (never atomic) cannot leave a torn file at
  // `path` for --resume to open.
  Checkpoint c(h5::File::create(path, path + ".new"));
  write_root_info(c.file_.root(), info, true);
  return c;
}

namespace {

// A checkpoint that HDF5 cannot read through (a torn or overwritten file) is the user's to
// remove, with one clear line; the program's own failures stay internal errors.
template <typename F>
auto reading_checkpoint(const std::string& path, F&& read) {
  try {
    return read();
  } catch (const InputError&) {
    throw;
  } catch (const SystemError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw InputError(path, "",
                     std::string("cannot be resumed: it is damaged (") + e.what() +
                         "); remove it to start over");
  }
}

}  // namespace

std::optional<Checkpoint> Checkpoint::resume(const std::string& path, const ScanFileInfo& info) {
  return reading_checkpoint(path, [&] { return resume_unchecked(path, info); });
}

std::optional<Checkpoint> Checkpoint::resume_unchecked(const std::string& path,
                                                       const ScanFileInfo& info) {
  std::optional<h5::File> opened;
  try {
    opened = h5::File::open_readwrite(path);
  } catch (const InputError& e) {  // "cannot be read as HDF5 (truncated file: ...)"
    throw InputError(path, "",
                     "cannot be resumed: it " + e.expectation() + "; remove it to start over");
  }
  h5::File file = std::move(*opened);
  h5::Group root = file.root();
  if (!root.has_attr("checkpoint")) return std::nullopt;  // died before its layout was flushed
  const auto mismatch = [&](const std::string& what) {
    return InputError(path, "",
                      "cannot be resumed: " + what +
                          "; run the original command again, or remove the file to start over");
  };
  const std::string hash = root.attr_string("study_hash");
  if (hash != info.study_hash)
    throw mismatch("it is from another study or configuration (study_hash " + hash.substr(0, 12) +
                   "..., this run " + info.study_hash.substr(0, 12) + "...)");
  std::optional<Shard> shard;
  if (root.has_attr("shard_index"))
    shard = Shard{static_cast<std::size_t>(root.attr_int("shard_index")),
                  static_cast<std::size_t>(root.attr_int("shard_count"))};
  if (shard.has_value() != info.shard.has_value() ||
      (shard && (shard->index != info.shard->index || shard->count != info.shard->count)))
    throw mismatch("it was started with " + describe_shard(shard) + ", this run has " +
                   describe_shard(info.shard));
  const auto chunk_points = static_cast<std::size_t>(root.attr_int("chunk_points"));
  if (chunk_points != info.chunk_points)
    throw mismatch("it was started with --chunk-points " + std::to_string(chunk_points) +
                   ", this run has " + std::to_string(info.chunk_points));
  Checkpoint c(std::move(file));
  c.resumed_ = true;
  return c;
}

void Checkpoint::add_groups(const std::vector<ScanResult>& results,
                            const std::vector<GridRows>& rows,
                            const std::vector<std::pair<std::size_t, std::size_t>>& ranges) {
  h5::Group root = file_.root();
  const std::string& path = file_.path();
  for (std::size_t i = 0; i < results.size(); ++i) {
    const ScanResult& r = results[i];
    const auto [begin, end] = ranges[i];
    const std::size_t n_chunks = chunk_count(rows[i], begin, end);
    const std::string label = result_label(r);
    if (resumed_) {
      reading_checkpoint(path, [&] {
        const auto layout_error = [&](const std::string& what) {
          return InputError(
              path, "",
              "cannot be resumed: group " + label + " " + what + "; remove the file to start over");
        };
        if (!root.is_group(label)) throw layout_error("is missing");
        h5::Group g = root.group(label);
        std::vector<std::size_t> shape;
        g.read("chunk_done", &shape);
        if (static_cast<std::size_t>(g.attr_int("row_begin")) != begin ||
            static_cast<std::size_t>(g.attr_int("row_end")) != end ||
            static_cast<std::size_t>(g.attr_int("rows_per_chunk")) != rows[i].rows_per_chunk ||
            shape.size() != 1 || shape[0] != n_chunks)
          throw layout_error("has another chunk layout");
        g.read("chi2", &shape);
        std::size_t points = 1;
        for (std::size_t d : shape) points *= d;
        if (shape.empty() || shape[0] != rows[i].n_rows ||
            points != rows[i].n_rows * rows[i].row_points)
          throw layout_error("has another grid shape");
        if ((r.toys > 0) != g.has_attr("fc_toys"))
          throw layout_error("has other statistics (Wilks or Feldman-Cousins)");
        groups_.push_back(g);
      });
      continue;
    }
    h5::Group g = root.group(label);
    write_scan_layout(g, r);
    g.set_attr("row_begin", begin);
    g.set_attr("row_end", end);
    g.set_attr("rows_per_chunk", rows[i].rows_per_chunk);
    g.index_coordinate("chunk", n_chunks, "checkpoint chunk index");
    g.variable_int("chunk_done", {"chunk"}, std::vector<long long>(n_chunks, 0), "1",
                   "1 where the chunk's rows of chi2 are written");
    // Allocating the rows this run will write now means that, from the first flush on, writing
    // a chunk changes raw data only, never the file's metadata.
    // In blocks of rows of about 2^20 points: the grid may be larger than memory.
    const std::size_t nan_rows =
        std::max<std::size_t>(1, (std::size_t{1} << 20) / rows[i].row_points);
    const std::vector<double> nan(std::min(nan_rows, end - begin) * rows[i].row_points,
                                  std::numeric_limits<double>::quiet_NaN());
    const auto write_nan = [&](const std::string& dataset) {
      for (std::size_t row = begin; row < end; row += nan_rows) {
        throw_if_interrupted();  // gigabytes for a large grid: a stop request is not kept waiting
        g.write_rows(dataset, row, std::min(nan_rows, end - row), nan.data());
      }
    };
    write_nan("chi2");
    if (r.toys > 0) {
      g.set_attr("fc_toys", r.toys);
      std::vector<std::string> dims;
      for (auto it = r.spec->axes.rbegin(); it != r.spec->axes.rend(); ++it)
        dims.push_back(it->parameter);
      g.create_variable("critical_delta_chi2", dims, "1",
                        "Feldman-Cousins critical Delta chi^2 (rows of finished chunks)");
      write_nan("critical_delta_chi2");
      g.variable_int("critical_done", {"chunk"}, std::vector<long long>(n_chunks, 0), "1",
                     "1 where the chunk's rows of critical_delta_chi2 are written");
    }
    groups_.push_back(g);
  }
  if (resumed_) {
    file_.flush();
    return;
  }
  root.set_attr("checkpoint", 1LL);
  // Fault injection for the crash tests: CEVNS_TEST_KILL_IN_LAYOUT=1 dies with the whole layout
  // flushed to the temporary file, just before it is published.
  if (const char* kill = std::getenv("CEVNS_TEST_KILL_IN_LAYOUT"); kill && *kill == '1') {
    file_.flush();
    std::raise(SIGKILL);
  }
  // Publish the complete layout (flushed, fsync'ed, renamed), then continue in place: from here
  // on only raw data is written.
  std::vector<std::string> labels;
  for (const ScanResult& r : results) labels.push_back(result_label(r));
  groups_.clear();
  const std::string final_path = file_.path();
  file_.commit();
  file_ = h5::File::open_readwrite(final_path);
  h5::Group reopened = file_.root();
  for (const std::string& label : labels) groups_.push_back(reopened.group(label));
}

std::vector<bool> Checkpoint::done_flags(std::size_t i, bool critical) {
  h5::Group& g = groups_.at(i);
  const std::vector<double> flags = g.read(critical ? "critical_done" : "chunk_done");
  std::vector<std::size_t> shape;
  std::vector<bool> done(flags.size());
  const auto begin = static_cast<std::size_t>(g.attr_int("row_begin"));
  const auto end = static_cast<std::size_t>(g.attr_int("row_end"));
  const auto per_chunk = static_cast<std::size_t>(g.attr_int("rows_per_chunk"));
  std::vector<double> rows;
  for (std::size_t c = 0; c < done.size(); ++c) {
    if (flags[c] == 0.0) continue;
    const std::size_t r0 = begin + c * per_chunk, r1 = std::min(end, r0 + per_chunk);
    if (shape.empty()) shape = g.dataset_shape("chi2");
    std::size_t per_row = 1;
    for (std::size_t k = 1; k < shape.size(); ++k) per_row *= shape[k];
    rows.resize((r1 - r0) * per_row);
    g.read_rows(critical ? "critical_delta_chi2" : "chi2", r0, r1 - r0, rows.data());
    // A flagged chunk with a missing value is not trusted: it is computed again.
    done[c] = std::none_of(rows.begin(), rows.end(), [](double x) { return std::isnan(x); });
  }
  return done;
}

std::vector<bool> Checkpoint::restore(std::size_t i, std::vector<double>* grid) {
  h5::Group& g = groups_.at(i);
  const std::vector<double> flags = g.read("chunk_done");
  std::vector<bool> done(flags.size());
  bool any = false;
  for (std::size_t c = 0; c < flags.size(); ++c) any |= (done[c] = flags[c] != 0.0);
  if (!any) return done;
  std::vector<std::size_t> shape;
  const std::vector<double> stored = g.read("chi2", &shape);
  const auto begin = static_cast<std::size_t>(g.attr_int("row_begin"));
  const auto end = static_cast<std::size_t>(g.attr_int("row_end"));
  const auto per_chunk = static_cast<std::size_t>(g.attr_int("rows_per_chunk"));
  const std::size_t per_row = shape[0] == 0 ? 0 : stored.size() / shape[0];  // points per row
  if (grid->size() != stored.size())
    grid->assign(stored.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t c = 0; c < done.size(); ++c) {
    if (!done[c]) continue;
    const std::size_t r0 = begin + c * per_chunk, r1 = std::min(end, r0 + per_chunk);
    // A flagged chunk with a missing value is not trusted: it is computed again.
    if (std::any_of(stored.begin() + r0 * per_row, stored.begin() + r1 * per_row,
                    [](double x) { return std::isnan(x); })) {
      done[c] = false;
      continue;
    }
    std::copy(stored.begin() + r0 * per_row, stored.begin() + r1 * per_row,
              grid->begin() + r0 * per_row);
  }
  return done;
}

std::vector<bool> Checkpoint::restore_critical(std::size_t i, std::vector<double>* critical) {
  h5::Group& g = groups_.at(i);
  const std::vector<double> flags = g.read("critical_done");
  std::vector<bool> done(flags.size());
  std::vector<std::size_t> shape;
  const std::vector<double> stored = g.read("critical_delta_chi2", &shape);
  const auto begin = static_cast<std::size_t>(g.attr_int("row_begin"));
  const auto end = static_cast<std::size_t>(g.attr_int("row_end"));
  const auto per_chunk = static_cast<std::size_t>(g.attr_int("rows_per_chunk"));
  const std::size_t per_row = shape[0] == 0 ? 0 : stored.size() / shape[0];
  if (critical->size() != stored.size())
    critical->assign(stored.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t c = 0; c < done.size(); ++c) {
    if (flags[c] == 0.0) continue;
    const std::size_t r0 = begin + c * per_chunk, r1 = std::min(end, r0 + per_chunk);
    if (std::any_of(stored.begin() + r0 * per_row, stored.begin() + r1 * per_row,
                    [](double x) { return std::isnan(x); }))
      continue;
    done[c] = true;
    std::copy(stored.begin() + r0 * per_row, stored.begin() + r1 * per_row,
              critical->begin() + r0 * per_row);
  }
  return done;
}

std::size_t Checkpoint::done_chunks() const {
  std::size_t n = 0;
  for (const h5::Group& g : groups_)
    for (double flag : g.read("chunk_done")) n += flag != 0.0;
  return n;
}

namespace {

// Fault injection for the crash tests (docs/output-format.md): CEVNS_TEST_KILL_AFTER_CHUNKS=k
// [:TERM|:INT] raises SIGKILL (or the named signal) right after the k-th chunk this process
// flushed, the worst moment a crash can come from the checkpoint's point of view. Read once.
struct FaultInjection {
  std::size_t after = 0;
  int signal = SIGKILL;
  FaultInjection() {
    const char* env = std::getenv("CEVNS_TEST_KILL_AFTER_CHUNKS");
    if (env == nullptr || *env == '\0') return;
    const std::string v = env;
    after = static_cast<std::size_t>(std::strtoul(v.c_str(), nullptr, 10));
    if (v.find(":TERM") != std::string::npos) signal = SIGTERM;
    if (v.find(":INT") != std::string::npos) signal = SIGINT;
  }
  void chunk_flushed() {
    if (after > 0 && ++flushed == after) std::raise(signal);
  }
  std::size_t flushed = 0;
};

FaultInjection& fault_injection() {
  static FaultInjection f;
  return f;
}

}  // namespace

void Checkpoint::write_chunk(std::size_t i, std::size_t chunk, std::size_t first_row,
                             std::size_t n_rows, const double* chi2) {
  h5::Group& g = groups_.at(i);
  // The rows reach the disk before the flag that vouches for them (even if the machine dies).
  g.write_rows("chi2", first_row, n_rows, chi2);
  file_.sync();
  const double one = 1.0;
  g.write_rows("chunk_done", chunk, 1, &one);
  file_.flush();
  fault_injection().chunk_flushed();
}

void Checkpoint::write_critical_chunk(std::size_t i, std::size_t chunk, std::size_t first_row,
                                      std::size_t n_rows, const double* critical) {
  h5::Group& g = groups_.at(i);
  g.write_rows("critical_delta_chi2", first_row, n_rows, critical);
  file_.sync();
  const double one = 1.0;
  g.write_rows("critical_done", chunk, 1, &one);
  file_.flush();
  fault_injection().chunk_flushed();
}

void Checkpoint::close() {
  groups_.clear();
  file_.commit();  // created in place or opened: flushes and closes, no rename
}

// --- final files
// ----------------------------------------------------------------------------------

void write_scan_file(const std::string& path, const ScanFileInfo& info,
                     const std::vector<ScanResult>& results,
                     const std::vector<std::pair<std::size_t, std::size_t>>& ranges) {
  h5::File file = h5::File::create(path);
  h5::Group root = file.root();
  write_root_info(root, info, false);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const ScanResult& r = results[i];
    h5::Group g = root.group(result_label(r));
    write_scan_layout(g, r);
    if (info.shard) {
      const auto [begin, end] = ranges[i];
      const std::size_t per_row = r.axes.size() == 2 ? r.axes[0].size() : 1;
      g.set_attr("row_begin", begin);
      g.set_attr("row_end", end);
      g.write_rows("chi2", begin, end - begin, r.chi2.data() + begin * per_row);
      if (r.toys > 0) {  // the shard's rows of the critical values (cevns merge joins them)
        std::vector<std::string> dims;
        for (auto it = r.spec->axes.rbegin(); it != r.spec->axes.rend(); ++it)
          dims.push_back(it->parameter);
        g.set_attr("fc_toys", r.toys);
        g.create_variable("critical_delta_chi2", dims, "1",
                          "Feldman-Cousins critical Delta chi^2 (this shard's rows)");
        g.write_rows("critical_delta_chi2", begin, end - begin,
                     r.critical_delta_chi2.data() + begin * per_row);
      }
    } else {
      write_scan_analysis(g, r);
    }
  }
  if (!info.shard) root.set_attr("complete", 1LL);
  file.commit();
}

void write_streamed_scan_file(const std::string& path, const ScanFileInfo& info, const Study& study,
                              StudyModels& models,
                              const std::vector<std::pair<std::size_t, std::size_t>>& ranges,
                              const StoredGrids& grids, Backend& backend,
                              std::size_t memory_bytes) {
  h5::File file = h5::File::create(path);
  h5::Group root = file.root();
  write_root_info(root, info, false);
  for (std::size_t i = 0; i < models.results.size(); ++i) {
    ScanResult& r = models.results[i];
    const ScanModel& model = *models.models[i];
    const GridRows rows = grid_rows(model.input(), 1);
    const std::size_t per_row = rows.row_points, n_rows = rows.n_rows;
    const std::size_t block =
        stream_rows_per_block(per_row, std::min(memory_bytes, kStreamBlockLimit));
    const bool fc = r.toys > 0;
    h5::Group g = root.group(result_label(r));
    write_scan_layout(g, r);
    std::vector<std::string> dims;
    for (auto it = r.spec->axes.rbegin(); it != r.spec->axes.rend(); ++it)
      dims.push_back(it->parameter);
    const auto read_all = [&](const auto& read, std::vector<double>* out) {
      out->resize(n_rows * per_row);
      for (std::size_t b0 = 0; b0 < n_rows; b0 += block)
        read(i, b0, std::min(block, n_rows - b0), out->data() + b0 * per_row);
    };

    if (info.shard) {  // the shard's rows, copied block by block
      const auto [begin, end] = ranges[i];
      g.set_attr("row_begin", begin);
      g.set_attr("row_end", end);
      if (fc) {
        g.set_attr("fc_toys", r.toys);
        g.create_variable("critical_delta_chi2", dims, "1",
                          "Feldman-Cousins critical Delta chi^2 (this shard's rows)");
      }
      std::vector<double> buffer;
      for (std::size_t b0 = begin; b0 < end; b0 += block) {
        throw_if_interrupted();
        const std::size_t n = std::min(block, end - b0);
        buffer.resize(n * per_row);
        grids.chi2(i, b0, n, buffer.data());
        g.write_rows("chi2", b0, n, buffer.data());
        if (fc) {
          grids.critical(i, b0, n, buffer.data());
          g.write_rows("critical_delta_chi2", b0, n, buffer.data());
        }
      }
      continue;
    }

    if (fc) {  // whole: the expected-exclusion bands and the interpolated thresholds need them
      read_all(grids.critical, &r.critical_delta_chi2);
      compute_expected_limit_bands(model, study, &r, backend);
    }
    if (r.axes.size() == 1) {  // at most 10^7 points: analysed whole
      read_all(grids.chi2, &r.chi2);
      analyse_grid(model, study, &r);
      write_scan_analysis(g, r);
      r.chi2 = {};
      r.delta_chi2 = {};
      continue;
    }
    g.create_variable("delta_chi2", dims, "1", "chi^2 minus its global minimum");
    if (fc) {
      g.create_variable("critical_delta_chi2", dims, "1", kCriticalDeltaChi2LongName);
      g.create_int_variable("toys", dims, "1", kToysLongName, 0);
    }
    std::vector<long long> toys;
    analyse_grid_streamed(
        model, study, &r,
        [&](std::size_t first, std::size_t n, double* out) { grids.chi2(i, first, n, out); }, block,
        [&](const GridRowBlock& b) {
          throw_if_interrupted();  // the temporary file is removed as the stack unwinds
          g.write_rows("chi2", b.first_row, b.n_rows, b.chi2);
          g.write_rows("delta_chi2", b.first_row, b.n_rows, b.delta_chi2);
          if (!fc) return;
          const double* critical = r.critical_delta_chi2.data() + b.first_row * per_row;
          g.write_rows("critical_delta_chi2", b.first_row, b.n_rows, critical);
          toys.resize(b.n_rows * per_row);
          for (std::size_t k = 0; k < toys.size(); ++k)
            toys[k] = std::isnan(critical[k]) ? 0 : static_cast<long long>(r.toys);
          g.write_int_rows("toys", b.first_row, b.n_rows, toys.data());
        });
    write_scan_analysis(g, r);
  }
  if (!info.shard) root.set_attr("complete", 1LL);
  file.commit();
}

}  // namespace cevns
