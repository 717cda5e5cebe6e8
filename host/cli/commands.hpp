// The subcommands of the `cevns` program. Each returns the process exit status; bad input is
// thrown as InputError and reported by main().
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace cevns {

struct RatesOptions {
  std::string detector_file;
  std::string backend = "auto";
  bool json = false;
  std::string output;  // HDF5 path; empty: none
  std::string command_line;
  std::optional<double> bin_width_keV;
  std::optional<double> neutron_radius_fm;
  std::optional<std::string> proton_form_factor, neutron_form_factor;
  std::optional<bool> kinematic_correction;
};

int run_rates(const RatesOptions& options);

}  // namespace cevns

namespace cevns {

struct ScanCommandOptions {
  std::string study_file;
  std::string output;  // HDF5 path; empty: no file
  std::string json_output;
  std::string backend = "auto";
  std::optional<std::string> method;
  bool quiet = false;
  std::size_t chunk_points = std::size_t{1} << 20;
  std::string command_line;
  std::optional<std::string> shard;  // "K/N": compute only shard K of N (needs output)
  bool resume = false;               // continue output + ".partial" (or start it)
  bool check = false;                // validate the study and options, estimate, compute nothing
  bool ignore_resources = false;     // run even when the estimate exceeds memory or disk
  // "8G": grids larger stream to disk in row blocks of at most this size (with -o); default
  // default_memory_limit() (host/engine/resources.hpp).
  std::optional<std::string> memory_limit;
};

int run_scan(const ScanCommandOptions& options);

// `cevns merge -o FILE.h5 PART.h5...`: the shards of one study into the file an unsharded run
// writes, analysis included.
struct MergeCommandOptions {
  std::vector<std::string> parts;
  std::string output;
  std::string backend = "auto";
  bool quiet = false;
  std::string command_line;
  std::optional<std::string> memory_limit;  // as cevns scan's: larger grids are streamed
};

int run_merge(const MergeCommandOptions& options);

// `cevns fit`: fits to the COHERENT data releases (host/data/fit.hpp).
struct FitOptions {
  std::vector<std::string> config_files;
  std::optional<std::string> data_dir;  // --data-dir
  std::string json_output;              // --json FILE
  std::string output;                   // -o FILE.h5
  std::string backend = "auto";
  std::string command_line;
  // --only NAME,...: compute only these studies: "n_cevns", profile parameters
  // ("sin2_theta_W", "eps_ee_uV", ...) and plane names ("eps_ee_etau", "sterile_nue", ...).
  // Empty: everything the configs ask for.
  std::vector<std::string> only;
  // --grid-points N: points per axis of every two-parameter plane (0: the configs' values).
  int grid_points = 0;
};

int run_fit(const FitOptions& options);

// Each command's options checked before any computation (host/cli/option_checks.cpp): numbers,
// reported with the option in place of the file ("--bin-width: expected ..."), and the output
// paths (host/io/output_path.hpp), so that a bad option or output never costs a run.
void check_options(const RatesOptions& options);
void check_options(const ScanCommandOptions& options);
void check_options(const MergeCommandOptions& options);
void check_options(const FitOptions& options);

struct Study;
struct ScanResult;
// The results table that `cevns scan` and `cevns merge` print.
void print_table(const Study& study, const std::vector<ScanResult>& results);
// The study of options.study_file with --method, when given, in place of its own (study.method
// and the recorded config); shared by `cevns scan` and the Python package.
Study load_study_with_method(const ScanCommandOptions& options);

}  // namespace cevns
