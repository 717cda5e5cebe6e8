#include <unistd.h>

#include <cmath>
#include <csignal>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "host/cli/commands.hpp"
#include "host/core/interrupt.hpp"
#include "host/engine/backend_select.hpp"
#include "host/engine/feldman_cousins.hpp"
#include "host/engine/resources.hpp"
#include "host/engine/study_run.hpp"
#include "host/io/checkpoint.hpp"
#include "host/io/h5io.hpp"
#include "host/io/output_path.hpp"
#include "host/io/scan_output.hpp"
#include "kernels/electromagnetic.hpp"

namespace cevns {

namespace {

std::string format_interval(const Interval& iv) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "[%s%.5g, %.5g%s]", iv.open_lo ? "<=" : "", iv.lo, iv.hi,
                iv.open_hi ? "+" : "");
  return buf;
}

}  // namespace

void print_table(const Study& study, const std::vector<ScanResult>& results) {
  std::printf("\nstudy %s: %.0f%% CL (delta chi^2 %.4g for one parameter, %.4g for two)\n",
              study.name.c_str(), 100 * study.analysis.cl, study.analysis.delta_chi2_1d,
              study.analysis.delta_chi2_2d);
  // The detector column fits the longest name, combinations ("Ge+NaI+Ar+CsI") included.
  int w = 12;
  for (const auto& r : results) w = std::max(w, static_cast<int>(r.detector.size()));
  std::string last_scan;
  for (const auto& r : results) {
    if (r.scan != last_scan) {
      last_scan = r.scan;
      std::printf("\n%s\n", r.scan.c_str());
      if (r.axes.size() == 1 && r.spec->axes[0].id == kSin2ThetaW)
        std::printf(
            "  %-*s %-8s %-28s %s\n", w, "detector", "scenario",
            (std::to_string(static_cast<int>(std::lround(100 * r.cl))) + "% CL interval").c_str(),
            "sensitivity");
      else if (r.axes.size() == 1 && is_magnetic_moment(r.spec->axes[0].id))
        std::printf("  %-*s %-8s %-28s %s\n", w, "detector", "scenario",
                    (std::to_string(static_cast<int>(std::lround(100 * r.cl))) + "% CL upper limit")
                        .c_str(),
                    "allowed intervals");
      else if (r.axes.size() == 1)
        std::printf("  %-*s %-8s %s\n", w, "detector", "scenario", "allowed intervals");
      else if (r.spec->is_sterile())
        std::printf("  %-*s %-8s excluded sin^2(2theta) at dm2 = 0.1, 1, 10, 100 eV^2\n",
                    w, "detector", "scenario");
      else if (r.spec->is_mediator_plane())
        std::printf("  %-*s %-8s excluded coupling at mass = 1, 10, 100, 1000 MeV (%s)\n",
                    w, "detector", "scenario", mediator_name(r.spec->mediator));
      else
        std::printf("  %-*s %-8s %-24s %s\n", w, "detector", "scenario", "best fit", "contours");
    }
    std::printf("  %-*s %-8s ", w, r.detector.c_str(), r.scenario.c_str());
    if (r.axes.size() == 1) {
      std::string ivs;
      for (const auto& iv : r.intervals) ivs += (ivs.empty() ? "" : " U ") + format_interval(iv);
      if (ivs.empty()) ivs = "(none)";
      if (r.sensitivity_percent)
        std::printf("%-28s %.3f%%\n", ivs.c_str(), *r.sensitivity_percent);
      else if (is_magnetic_moment(r.spec->axes[0].id)) {
        char limit[64] = "none (beyond the axis)";
        if (r.upper_limit)
          std::snprintf(limit, sizeof limit, "%.5g %s", *r.upper_limit,
                        parameter_units(r.spec->axes[0].id).c_str());
        std::printf("%-28s %s\n", limit, ivs.c_str());
      } else
        std::printf("%s\n", ivs.c_str());
    } else if (r.spec->is_sterile() || r.spec->is_mediator_plane()) {
      for (const auto& [dm2, s] : r.exclusion) {
        if (std::isnan(s))
          std::printf(" %10s", "none");
        else
          std::printf(" %10.4g", s);
      }
      std::printf("\n");
    } else {
      char best[64];
      std::snprintf(best, sizeof best, "(%.4g, %.4g)", r.best_fit[0], r.best_fit[1]);
      std::printf("%-24s %zu polyline(s)\n", best, r.contours.size());
    }
  }
}

namespace {

bool path_exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

void write_json_table(const std::string& path, const Study& study,
                      const std::vector<ScanResult>& results) {
  write_text_file(path, scan_results_json(study, results).dump(2) + "\n");
}

// A scan with an output file: checkpointed in FILE.partial, resumable, optionally one shard.
//
// `stream`: the grids are not held (README "Resources, signals, faults"): chunks go from the
// backend to the checkpoint only, and the final file is written from the checkpoint in blocks of
// rows within `memory_limit` (write_streamed_scan_file).
int run_checkpointed_scan(const ScanCommandOptions& options, const Study& study, Method method,
                          const std::optional<Shard>& shard, Backend& backend, Progress& progress,
                          bool stream, std::size_t memory_limit) {
  const std::string& final_path = options.output;
  const std::string partial = final_path + ".partial";
  ScanFileInfo info;
  info.provenance = Provenance{options.command_line, backend.name(), study.json};
  info.study_hash = study_hash(study);
  info.shard = shard;
  info.chunk_points = options.chunk_points;

  if (options.resume && !path_exists(partial) && path_exists(final_path)) {
    // A finished run of the same study (and shard) leaves nothing to do: re-submitted jobs end
    // at once.
    h5::File done = h5::File::open_read(final_path);
    h5::Group root = done.root();
    const bool same_study =
        root.has_attr("study_hash") && root.attr_string("study_hash") == info.study_hash;
    const bool same_shard =
        shard ? root.has_attr("shard_index") &&
                    static_cast<std::size_t>(root.attr_int("shard_index")) == shard->index &&
                    static_cast<std::size_t>(root.attr_int("shard_count")) == shard->count
              : !root.has_attr("shard_index") && root.attr_int("complete") == 1;
    if (!same_study || !same_shard)
      throw InputError(final_path, "",
                       "exists and is not a finished run of this study" +
                           std::string(shard ? " and shard" : "") +
                           "; remove it, or run without --resume to overwrite it");
    progress.note("computed 0 chunks: " + final_path + " is already complete");
    return 0;
  }
  if (!options.resume && path_exists(partial))
    throw InputError(partial, "",
                     "exists: an interrupted run of this output; add --resume to continue it, or "
                     "remove it to start over");

  // Open the checkpoint before computing, so an unwritable path fails at once.
  std::optional<Checkpoint> checkpoint;
  if (options.resume && path_exists(partial)) {
    checkpoint = Checkpoint::resume(partial, info);
    if (!checkpoint) progress.note(partial + " holds no finished chunk: starting over");
  }
  const bool resumed = checkpoint.has_value();
  if (!checkpoint) {
    try {
      checkpoint = Checkpoint::create(partial, info);
    } catch (const InputError& e) {
      throw InputError(final_path, "", e.expectation());
    }
  }

  StudyModels models = build_study_models(study, backend, method);
  std::vector<GridRows> rows;
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  std::size_t total_chunks = 0;
  for (const auto& model : models.models) {
    rows.push_back(grid_rows(model->input(), options.chunk_points));
    ranges.push_back(shard ? shard_row_range(rows.back().n_rows, shard->index, shard->count)
                           : std::make_pair(std::size_t{0}, rows.back().n_rows));
    total_chunks += chunk_count(rows.back(), ranges.back().first, ranges.back().second);
  }
  checkpoint->add_groups(models.results, rows, ranges);
  if (resumed)
    progress.note("resuming " + partial + ": " + std::to_string(checkpoint->done_chunks()) +
                  " of " + std::to_string(total_chunks) + " chunks were already done");

  std::size_t computed = 0, restored = 0;
  {
    std::vector<GridJob> jobs;
    std::vector<std::vector<bool>> done;
    for (std::size_t i = 0; i < models.results.size(); ++i) {
      ScanResult& r = models.results[i];
      done.push_back(stream ? checkpoint->done_flags(i) : checkpoint->restore(i, &r.chi2));
      for (bool d : done.back()) restored += d;
      jobs.push_back(GridJob{models.models[i].get(), stream ? nullptr : &r.chi2, ranges[i].first,
                             ranges[i].second, result_label(r)});
    }
    GridHooks hooks;
    hooks.done = [&](std::size_t job, std::size_t chunk) { return bool(done[job][chunk]); };
    hooks.finished = [&](std::size_t job, std::size_t chunk, std::size_t first_row,
                         std::size_t n_rows, const double* chi2) {
      checkpoint->write_chunk(job, chunk, first_row, n_rows, chi2);
      ++computed;
    };
    try {
      run_grids(jobs, backend, options.chunk_points, progress, hooks);
      // A signal after the last chunk: every chunk is done, so finishing beats stopping.
      // Feldman–Cousins: the critical values of the same rows, chunk by chunk, checkpointed.
      if (study.statistics.feldman_cousins)
        for (std::size_t i = 0; i < models.results.size(); ++i) {
          ScanResult& r = models.results[i];
          const std::vector<bool> critical_done =
              stream ? checkpoint->done_flags(i, true)
                     : checkpoint->restore_critical(i, &r.critical_delta_chi2);
          std::unique_ptr<ToyEvaluator> toys;  // streamed: prepared once, chunks into a buffer
          for (std::size_t c = 0; c < critical_done.size(); ++c) {
            const std::size_t row = ranges[i].first + c * rows[i].rows_per_chunk;
            const std::size_t n = std::min(rows[i].rows_per_chunk, ranges[i].second - row);
            if (critical_done[c]) {
              ++restored;
              continue;
            }
            if (stream) {
              if (!toys)
                toys =
                    backend.prepare_toys(make_toy_input(*models.models[i], study.statistics.seed));
              progress.start(result_label(r) + " toys", n * rows[i].row_points);
              const std::vector<double> t =
                  critical_values(*toys, row * rows[i].row_points, n * rows[i].row_points,
                                  study.statistics.toys, study.analysis.cl, progress);
              progress.finish();
              checkpoint->write_critical_chunk(i, c, row, n, t.data());
            } else {
              compute_critical_values(*models.models[i], study, &r, backend, progress,
                                      row * rows[i].row_points, n * rows[i].row_points);
              checkpoint->write_critical_chunk(
                  i, c, row, n, r.critical_delta_chi2.data() + row * rows[i].row_points);
            }
            ++computed;
          }
        }
    } catch (const ScanInterrupted& e) {
      checkpoint->close();
      std::fprintf(stderr,
                   "cevns: interrupted by %s: %zu of %zu chunks are saved in %s; run the same "
                   "command with --resume to continue\n",
                   signal_name(e.signal), computed + restored, total_chunks, partial.c_str());
      return 128 + e.signal;
    }
  }
  checkpoint->close();

  if (stream) {
    // The grids come back from the checkpoint block by block.
    h5::File stored = h5::File::open_read(partial);
    std::vector<h5::Group> groups;
    for (const ScanResult& r : models.results)
      groups.push_back(stored.root().group(result_label(r)));
    StoredGrids grids;
    grids.chi2 = [&](std::size_t i, std::size_t first, std::size_t n, double* out) {
      groups[i].read_rows("chi2", first, n, out);
    };
    grids.critical = [&](std::size_t i, std::size_t first, std::size_t n, double* out) {
      groups[i].read_rows("critical_delta_chi2", first, n, out);
    };
    write_streamed_scan_file(final_path, info, study, models, ranges, grids, backend, memory_limit);
  } else {
    if (!shard)
      for (std::size_t i = 0; i < models.results.size(); ++i) {
        if (study.statistics.feldman_cousins)
          compute_expected_limit_bands(*models.models[i], study, &models.results[i], backend);
        analyse_grid(*models.models[i], study, &models.results[i]);
      }
    write_scan_file(final_path, info, models.results, ranges);
  }
  std::remove(partial.c_str());
  progress.note("computed " + std::to_string(computed) + " chunks, " + std::to_string(restored) +
                " restored from a checkpoint");

  if (shard) {
    std::printf("shard %zu/%zu of study %s written to %s\n", shard->index, shard->count,
                study.name.c_str(), final_path.c_str());
    return 0;
  }
  if (!options.json_output.empty()) write_json_table(options.json_output, study, models.results);
  print_table(study, models.results);
  return 0;
}

}  // namespace

Study load_study_with_method(const ScanCommandOptions& options) {
  Study study = load_study(options.study_file);
  if (options.method) {
    if (*options.method == "factorised" || *options.method == "factorized")
      study.method = Method::kFactorised;
    else if (*options.method == "direct")
      study.method = Method::kDirect;
    else
      throw InputError("--method", "",
                       "expected factorised or direct, got \"" + *options.method + "\"");
    study.json["method"] = study.method == Method::kDirect ? "direct" : "factorised";
  }
  return study;
}

int run_scan(const ScanCommandOptions& options) {
  check_options(options);  // numbers and output paths, before any computation
  Study study = load_study_with_method(options);
  const Method method = study.method;
  if (options.chunk_points == 0)
    throw InputError("--chunk-points", "", "expected a positive number of points");
  std::optional<Shard> shard;
  if (options.shard) shard = parse_shard(*options.shard);
  if (shard && options.output.empty() && !options.check)
    throw InputError("--shard", "", "needs -o FILE.h5 (the shard's output file)");
  if (shard && !options.json_output.empty())
    throw InputError("--json", "",
                     "not available with --shard (a shard holds part of each grid: merge the "
                     "shards with cevns merge for the results)");
  if (options.resume && options.output.empty())
    throw InputError("--resume", "", "needs -o FILE.h5 (the output of the run to continue)");

  // What the run needs, before anything is computed: refused when it cannot fit. With -o, grids
  // larger than the memory limit are streamed.
  const bool with_output = !options.output.empty();
  const std::size_t memory_limit = options.memory_limit
                                       ? parse_byte_size(*options.memory_limit, "--memory-limit")
                                       : default_memory_limit();
  const ResourceEstimate need =
      estimate_resources(study, options.chunk_points, with_output,
                         shard ? 1.0 / static_cast<double>(shard->count) : 1.0, memory_limit);
  const std::string needs =
      std::to_string(need.points) + " grid points in " + std::to_string(need.grids) +
      " grids; needs about " + format_bytes(need.memory_bytes) + " of memory" +
      (with_output ? " and " + format_bytes(need.disk_bytes) + " of disk" : std::string()) +
      (need.streamed
           ? " (streamed to disk in row blocks of up to " + format_bytes(need.block_bytes) +
                 ": the whole grids' " + format_bytes(need.in_memory_bytes) +
                 " exceed the memory limit " + format_bytes(memory_limit) + ")"
           : std::string());
  if (options.check) {
    std::printf("%s: study %s is valid: %s\n", options.study_file.c_str(), study.name.c_str(),
                needs.c_str());
    return 0;
  }
  if (!options.ignore_resources && !with_output && options.memory_limit &&
      need.memory_bytes > memory_limit)
    throw InputError(options.study_file, "",
                     "needs about " + format_bytes(need.memory_bytes) + " of memory for " +
                         std::to_string(need.points) + " grid points, more than --memory-limit " +
                         format_bytes(memory_limit) +
                         " (without -o the grids are held whole; with -o FILE.h5 they stream to "
                         "disk in row blocks)");
  if (!options.ignore_resources) {
    const auto memory = available_memory_bytes();
    if (memory && need.memory_bytes > *memory)
      throw InputError(options.study_file, "",
                       "needs about " + format_bytes(need.memory_bytes) + " of memory for " +
                           std::to_string(need.points) + " grid points, more than the " +
                           format_bytes(*memory) + " available" +
                           (with_output ? std::string()
                                        : " (without -o the grids are held whole; with -o "
                                          "FILE.h5 they stream to disk in row blocks)") +
                           " (--ignore-resources runs it anyway)");
    const auto disk = with_output ? free_disk_bytes(directory_of(options.output)) : std::nullopt;
    if (disk && need.disk_bytes > *disk)
      throw InputError(options.output, "",
                       "needs about " + format_bytes(need.disk_bytes) + " of disk, more than the " +
                           format_bytes(*disk) + " free there (--ignore-resources runs it anyway)");
  }

  auto backend = select_backend(options.backend);
  Progress progress(options.quiet ? Progress::Mode::kQuiet : Progress::Mode::kAuto);
  progress.note(
      "cevns scan " + study.name + " on " + backend->name() +
      (shard ? " (shard " + std::to_string(shard->index) + "/" + std::to_string(shard->count) + ")"
             : std::string()) +
      ": " + needs);

  if (!options.output.empty())
    return run_checkpointed_scan(options, study, method, shard, *backend, progress, need.streamed,
                                 memory_limit);

  const std::vector<ScanResult> results =
      run_study(study, *backend, method, options.chunk_points, progress);
  if (!options.json_output.empty()) write_json_table(options.json_output, study, results);
  print_table(study, results);
  return 0;
}

}  // namespace cevns
