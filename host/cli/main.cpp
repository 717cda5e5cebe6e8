// cevns: command-line entry point. Bad input of any kind ends here as one line on stderr and
// exit status 2.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "host/cli/commands.hpp"
#include "host/core/error.hpp"
#include "host/core/interrupt.hpp"
#include "host/data/fit.hpp"
#include "version.hpp"

int main(int argc, char** argv) {
  using namespace cevns;
  CLI::App app{"cevns-scan: CEvNS sensitivity forecasts for spallation-source experiments"};
  app.set_version_flag("--version",
                       std::string(kProgramName) + " " + kVersion + " (" + kGitCommit + ")");
  app.require_subcommand(1);
  app.fallthrough();
  std::string backend = "auto";
  app.add_option("--backend", backend, "cpu, cuda or auto (the GPU when one is present)")
      ->capture_default_str();

  RatesOptions rates;
  auto* rates_cmd = app.add_subcommand("rates", "Expected CEvNS events of one detector");
  rates_cmd->add_option("detector", rates.detector_file, "detector JSON file")->required();
  rates_cmd->add_flag("--json", rates.json, "print one JSON object on stdout");
  rates_cmd->add_option("-o,--output", rates.output, "also write the spectrum as HDF5");
  rates_cmd->add_option("--bin-width", rates.bin_width_keV, "recoil bin width in keV");
  rates_cmd->add_option("--neutron-radius", rates.neutron_radius_fm,
                        "neutron rms radius in fm for every isotope");
  rates_cmd->add_option("--ff-proton", rates.proton_form_factor,
                        "proton form factor: helm, symmetrized_fermi, klein_nystrand");
  rates_cmd->add_option("--ff-neutron", rates.neutron_form_factor,
                        "neutron form factor: helm, symmetrized_fermi, klein_nystrand");
  rates_cmd->add_flag("--gc,!--no-gc", rates.kinematic_correction,
                      "apply (or not) the kinematic correction g_c of Eq. 7");

  ScanCommandOptions scan;
  auto* scan_cmd = app.add_subcommand("scan", "Run a study: chi^2 grids, intervals, contours");
  scan_cmd->add_option("study", scan.study_file, "study JSON file")->required();
  scan_cmd->add_option("-o,--output", scan.output, "HDF5 output file");
  scan_cmd->add_option("--json", scan.json_output, "write the results table as JSON to this file");
  scan_cmd->add_option("--method", scan.method, "factorised (default) or direct");
  scan_cmd->add_flag("-q,--quiet", scan.quiet, "no progress output");
  scan_cmd
      ->add_option("--chunk-points", scan.chunk_points,
                   "grid points per backend call (bounds device memory)")
      ->capture_default_str();
  scan_cmd->add_option("--shard", scan.shard,
                       "K/N: compute only shard K (0-based) of N of every grid (needs -o)");
  scan_cmd->add_flag("--resume", scan.resume,
                     "continue an interrupted run from OUTPUT.partial (or start it)");
  scan_cmd->add_flag(
      "--check", scan.check,
      "validate the study and options and print what the run needs; compute nothing");
  scan_cmd->add_flag("--ignore-resources", scan.ignore_resources,
                     "run even when the memory or disk it needs exceeds what is available");
  scan_cmd->add_option("--memory-limit", scan.memory_limit,
                       "SIZE (e.g. 8G): with -o, grids larger than this stream to disk in row "
                       "blocks of at most this size (default: half the available memory)");

  MergeCommandOptions merge;
  auto* merge_cmd =
      app.add_subcommand("merge", "Merge the shard files of one study into one scan file");
  merge_cmd->add_option("parts", merge.parts, "shard files (cevns scan --shard K/N)")->required();
  merge_cmd->add_option("-o,--output", merge.output, "HDF5 output file")->required();
  merge_cmd->add_flag("-q,--quiet", merge.quiet, "no progress output");
  merge_cmd->add_option("--memory-limit", merge.memory_limit,
                        "SIZE (e.g. 8G): grids larger than this are merged in row blocks of at "
                        "most this size (default: half the available memory)");

  FitOptions fit;
  auto* fit_cmd = app.add_subcommand("fit", "Fit the CEvNS prediction to COHERENT data releases");
  fit_cmd
      ->add_option("config", fit.config_files, "data-set JSON file(s); several: also a joint fit")
      ->required();
  fit_cmd->add_option(
      "--data-dir", fit.data_dir,
      "directory of the COHERENT releases (else $CEVNS_DATA, else the config's data_dir)");
  fit_cmd->add_option("--json", fit.json_output, "write the results as JSON to this file");
  fit_cmd->add_option("-o,--output", fit.output, "HDF5 output file");
  fit_cmd
      ->add_option("--only", fit.only,
                   "compute only these: n_cevns, profile parameters (sin2_theta_W, eps_ee_uV, "
                   "...), plane names (eps_ee_etau, sterile_nue, sterile_numu)")
      ->delimiter(',');
  fit_cmd->add_option("--grid-points", fit.grid_points,
                      "points per axis of every two-parameter plane (default: the configs')");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  std::string command_line;  // recorded in every output file
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);

  // SIGINT and SIGTERM stop a command between two slices of work (host/core/interrupt.hpp): a
  // scan saves its finished chunks, every command removes its temporary files; a signal during
  // the final write lets it finish. SIGXFSZ (a file-size limit) becomes a write error to report.
  const InterruptGuard guard;
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    if (rates_cmd->parsed()) {
      rates.backend = backend;
      rates.command_line = command_line;
      return run_rates(rates);
    }
    if (scan_cmd->parsed()) {
      scan.backend = backend;
      scan.command_line = command_line;
      return run_scan(scan);
    }
    if (fit_cmd->parsed()) {
      fit.backend = backend;
      fit.command_line = command_line;
      return run_fit(fit);
    }
    if (merge_cmd->parsed()) {
      merge.backend = backend;
      merge.command_line = command_line;
      return run_merge(merge);
    }
  } catch (const ScanInterrupted& e) {
    std::fprintf(stderr, "cevns: interrupted by %s\n", signal_name(e.signal));
    return 128 + e.signal;
  } catch (const SystemError& e) {
    // HDF5's exit handlers would try again to close a file whose writes failed, and can crash
    // doing so: leave at once, after flushing what was printed.
    std::fprintf(stderr, "cevns: error: %s\n", e.what());
    std::fflush(nullptr);
    std::_Exit(1);
  } catch (const InputError& e) {
    std::fprintf(stderr, "cevns: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cevns: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
