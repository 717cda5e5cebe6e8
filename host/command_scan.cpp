#include <cmath>
#include <cstdio>
#include <fstream>

#include "host/backend_select.hpp"
#include "host/commands.hpp"
#include "host/h5io.hpp"
#include "host/scan.hpp"
#include "host/scan_output.hpp"

namespace cevns {

namespace {

std::string format_interval(const Interval& iv) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "[%s%.5g, %.5g%s]", iv.open_lo ? "<=" : "", iv.lo, iv.hi,
                iv.open_hi ? "+" : "");
  return buf;
}

void print_table(const Study& study, const std::vector<ScanResult>& results) {
  std::printf("\nstudy %s: %.0f%% CL (delta chi^2 %.4g for one parameter, %.4g for two)\n",
              study.name.c_str(), 100 * study.analysis.cl, study.analysis.delta_chi2_1d,
              study.analysis.delta_chi2_2d);
  std::string last_scan;
  for (const auto& r : results) {
    if (r.scan != last_scan) {
      last_scan = r.scan;
      std::printf("\n%s\n", r.scan.c_str());
      if (r.axes.size() == 1 && r.spec->axes[0].id.kind == kSin2ThetaW)
        std::printf("  %-12s %-8s %-28s %s\n", "detector", "scenario", "90% CL interval",
                    "sensitivity");
      else if (r.axes.size() == 1)
        std::printf("  %-12s %-8s %s\n", "detector", "scenario", "allowed intervals");
      else if (r.spec->is_sterile())
        std::printf("  %-12s %-8s excluded sin^2(2theta) at dm2 = 0.1, 1, 10, 100 eV^2\n",
                    "detector", "scenario");
      else
        std::printf("  %-12s %-8s %-24s %s\n", "detector", "scenario", "best fit", "contours");
    }
    std::printf("  %-12s %-8s ", r.detector.c_str(), r.scenario.c_str());
    if (r.axes.size() == 1) {
      std::string ivs;
      for (const auto& iv : r.intervals) ivs += (ivs.empty() ? "" : " U ") + format_interval(iv);
      if (ivs.empty()) ivs = "(none)";
      if (r.sensitivity_percent)
        std::printf("%-28s %.3f%%\n", ivs.c_str(), *r.sensitivity_percent);
      else
        std::printf("%s\n", ivs.c_str());
    } else if (r.spec->is_sterile()) {
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

}  // namespace

int run_scan(const ScanCommandOptions& options) {
  Study study = load_study(options.study_file);
  ScanOptions scan_options;
  scan_options.method = study.method;
  if (options.method) {
    if (*options.method == "factorised" || *options.method == "factorized")
      scan_options.method = Method::kFactorised;
    else if (*options.method == "direct")
      scan_options.method = Method::kDirect;
    else
      throw InputError("--method", "", "expected factorised or direct, got \"" + *options.method + "\"");
    study.json["method"] = scan_options.method == Method::kDirect ? "direct" : "factorised";
  }
  if (options.chunk_points == 0) throw InputError("--chunk-points", "", "expected a positive number of points");
  scan_options.chunk_points = options.chunk_points;

  auto backend = select_backend(options.backend);
  Progress progress(options.quiet ? Progress::Mode::kQuiet : Progress::Mode::kAuto);
  progress.note("cevns scan " + study.name + " on " + backend->name());

  // Open the output before computing, so an unwritable path fails at once.
  std::optional<h5::File> file;
  if (!options.output.empty()) {
    file.emplace(h5::File::create(options.output));
    write_provenance(file->root(), Provenance{options.command_line, backend->name(), study.json},
                     "scan");
  }
  const std::vector<ScanResult> results = run_study(study, *backend, scan_options, progress);
  if (file) {
    for (const auto& r : results) {
      h5::Group g = file->root().group(result_label(r));
      write_scan_layout(g, r);
      write_scan_analysis(g, r);
    }
    file->root().set_attr("complete", 1LL);
    file->commit();
  }
  if (!options.json_output.empty()) {
    const std::string tmp = options.json_output + ".tmp";
    std::ofstream out(tmp);
    if (!out) throw InputError(options.json_output, "", "cannot be written");
    out << scan_results_json(study, results).dump(2) << "\n";
    out.close();
    if (!out || std::rename(tmp.c_str(), options.json_output.c_str()) != 0) {
      std::remove(tmp.c_str());
      throw InputError(options.json_output, "", "cannot be written");
    }
  }
  print_table(study, results);
  return 0;
}

}  // namespace cevns
