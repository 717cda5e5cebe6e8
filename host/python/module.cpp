// The Python extension `cevns._cevns`: the commands of host/cli run inside the interpreter
// (python/cevns/ wraps them into xarray objects). Each call runs the same functions as the
// program, writing its HDF5 file into a path the caller chose (a scan without the checkpoint the
// program keeps for --resume), with
//  - configs given as JSON text under a stand-in name ("<dict>", host/core/json_reader.hpp),
//  - the GIL released while the engine computes,
//  - progress forwarded to a Python object (a tqdm bar) instead of stderr,
//  - SIGINT and SIGTERM caught as by the program (host/core/interrupt.hpp) when called from the
//    main thread: the call stops within about a quarter of a second and reports the signal,
//  - what the command prints on stdout captured and returned as text (standard output, file
//    descriptor 1, is redirected during the call, except while a progress callback runs),
//  - InputError raised as cevns.ConfigError(file, json_path, expectation).
#include <nanobind/nanobind.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/cli/commands.hpp"
#include "host/core/error.hpp"
#include "host/core/interrupt.hpp"
#include "host/core/json_reader.hpp"
#include "host/core/progress.hpp"
#include "host/engine/backend_select.hpp"
#include "host/engine/resources.hpp"
#include "host/engine/study_run.hpp"
#include "host/io/checkpoint.hpp"
#include "version.hpp"

namespace nb = nanobind;

namespace cevns {
namespace {

// Standard output (file descriptor 1, C stdio and iostreams) redirected into a temporary file
// while it lives; text() is what was written.
class CapturedStdout {
 public:
  CapturedStdout() {
    std::fflush(stdout);
    std::cout.flush();
    file_ = std::tmpfile();
    if (!file_) return;
    saved_ = ::dup(STDOUT_FILENO);
    if (saved_ < 0 || ::dup2(::fileno(file_), STDOUT_FILENO) < 0) restore();
  }
  ~CapturedStdout() {
    restore();
    if (file_) std::fclose(file_);
  }
  // Standard output back to where it was, for a while (a Python callback that prints).
  void pause() {
    if (saved_ < 0) return;
    std::fflush(stdout);
    std::cout.flush();
    ::dup2(saved_, STDOUT_FILENO);
  }
  void resume() {
    if (saved_ < 0) return;
    std::fflush(stdout);
    ::dup2(::fileno(file_), STDOUT_FILENO);
  }
  std::string text() {
    restore();
    if (!file_) return "";
    std::string out;
    std::rewind(file_);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, file_)) > 0) out.append(buf, n);
    return out;
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stdout);
    std::cout.flush();
    ::dup2(saved_, STDOUT_FILENO);
    ::close(saved_);
    saved_ = -1;
  }
  std::FILE* file_ = nullptr;
  int saved_ = -1;
};

// Progress events handed to a Python object with start(label, total), update(done, total),
// close(done, total) and note(line) methods; the GIL is taken for each call.
class PythonProgress final : public ProgressListener {
 public:
  explicit PythonProgress(nb::object target) : target_(std::move(target)) {}
  // While the command's output is captured, the callbacks print where Python prints.
  void set_capture(CapturedStdout* capture) { capture_ = capture; }
  void start(const std::string& label, std::size_t total) override {
    call("start", [&](nb::handle t) { t.attr("start")(label, total); });
  }
  void advance(std::size_t done, std::size_t total) override {
    call("update", [&](nb::handle t) { t.attr("update")(done, total); });
  }
  void finish(std::size_t done, std::size_t total) override {
    call("close", [&](nb::handle t) { t.attr("close")(done, total); });
  }
  void note(const std::string& line) override {
    call("note", [&](nb::handle t) { t.attr("note")(line); });
  }

 private:
  template <class F>
  void call(const char*, F&& f) {
    nb::gil_scoped_acquire gil;
    if (capture_) capture_->pause();
    try {
      f(target_);
      nb::module_::import_("sys").attr("stdout").attr("flush")();
    } catch (nb::python_error& e) {
      e.discard_as_unraisable("cevns progress display");  // a display never stops a run
    }
    if (capture_) capture_->resume();
  }
  nb::object target_;
  CapturedStdout* capture_ = nullptr;
};

// `cevns scan STUDY -o OUTPUT` without the checkpoint: the grids are held in memory (as the
// program holds them) and written once, by the program's writer, into the file the program
// writes; the results table is printed (for verbose=True). Options are checked as by run_scan.
int run_scan_to_file(const ScanCommandOptions& options) {
  check_options(options);
  Study study = load_study_with_method(options);
  const Method method = study.method;
  const ResourceEstimate need = estimate_resources(study, options.chunk_points, true, 1.0);
  const auto memory = available_memory_bytes();
  if (memory && need.memory_bytes > *memory)
    throw InputError(options.study_file, "",
                     "needs about " + format_bytes(need.memory_bytes) + " of memory for " +
                         std::to_string(need.points) + " grid points, more than the " +
                         format_bytes(*memory) + " available");
  auto backend = select_backend(options.backend);
  Progress progress(options.quiet ? Progress::Mode::kQuiet : Progress::Mode::kAuto);
  progress.note("cevns scan " + study.name + " on " + backend->name() + ": " +
                std::to_string(need.points) + " grid points in " + std::to_string(need.grids) +
                " grids");
  const std::vector<ScanResult> results =
      run_study(study, *backend, method, options.chunk_points, progress);
  ScanFileInfo info;
  info.provenance = Provenance{options.command_line, backend->name(), study.json};
  info.study_hash = study_hash(study);
  info.chunk_points = options.chunk_points;
  write_scan_file(options.output, info, results, {});
  print_table(study, results);
  return 0;
}

// Everything one call needs around the command: in-memory documents, the progress listener, the
// signal guard, the captured output; the command itself runs without the GIL.
template <class Command>
std::pair<int, std::string> run_command(const std::map<std::string, std::string>& documents,
                                        nb::object progress, bool catch_signals,
                                        Command&& command) {
  std::vector<std::unique_ptr<InMemoryDocument>> docs;
  for (const auto& [name, text] : documents)
    docs.push_back(std::make_unique<InMemoryDocument>(name, text));
  std::optional<PythonProgress> listener;
  if (!progress.is_none()) listener.emplace(progress);
  ProgressListener* previous = set_progress_listener(listener ? &*listener : nullptr);
  struct Restore {
    ProgressListener* previous;
    ~Restore() { set_progress_listener(previous); }
  } restore{previous};

  int status = 0;
  std::string out;
  {
    nb::gil_scoped_release release;
    std::optional<InterruptGuard> guard;
    if (catch_signals) guard.emplace();
    CapturedStdout captured;
    if (listener) listener->set_capture(&captured);
    struct Detach {
      std::optional<PythonProgress>& listener;
      ~Detach() {
        if (listener) listener->set_capture(nullptr);
      }
    } detach{listener};
    try {
      status = command();
    } catch (const ScanInterrupted& e) {
      status = 128 + e.signal;
    } catch (...) {
      out = captured.text();
      throw;
    }
    out = captured.text();
  }
  return {status, out};
}

// cevns.ConfigError, set at import; held for the life of the process (never released, so that no
// reference is dropped after the interpreter has finalised).
PyObject* g_config_error = nullptr;

}  // namespace
}  // namespace cevns

NB_MODULE(_cevns, m) {
  using namespace cevns;
  m.doc() = "The cevns-scan engine (host/cli commands) for the cevns package";
  m.attr("version") = kVersion;
  m.attr("git_commit") = kGitCommit;
#ifdef CEVNS_PYTHON_HAVE_CUDA
  m.attr("cuda_compiled") = true;
#else
  m.attr("cuda_compiled") = false;
#endif

  g_config_error =
      nb::object(nb::module_::import_("cevns._errors").attr("ConfigError")).release().ptr();
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const InputError& e) {
      nb::object err = nb::handle(g_config_error)(e.file(), e.json_path(), e.expectation());
      PyErr_SetObject(g_config_error, err.ptr());
    } catch (const SystemError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    }
  });

  m.def(
      "rates",
      [](const std::string& detector, const std::string& output, const std::string& backend,
         std::optional<double> bin_width_keV, std::optional<double> neutron_radius_fm,
         std::optional<std::string> ff_proton, std::optional<std::string> ff_neutron,
         std::optional<bool> gc, const std::string& command,
         const std::map<std::string, std::string>& documents) {
        RatesOptions o;
        o.detector_file = detector;
        o.output = output;
        o.backend = backend;
        o.json = true;
        o.command_line = command;
        o.bin_width_keV = bin_width_keV;
        o.neutron_radius_fm = neutron_radius_fm;
        o.proton_form_factor = ff_proton;
        o.neutron_form_factor = ff_neutron;
        o.kinematic_correction = gc;
        return run_command(documents, nb::none(), false, [&] { return run_rates(o); });
      },
      nb::arg("detector"), nb::arg("output"), nb::arg("backend"), nb::arg("bin_width_keV").none(),
      nb::arg("neutron_radius_fm").none(), nb::arg("ff_proton").none(),
      nb::arg("ff_neutron").none(), nb::arg("gc").none(), nb::arg("command"), nb::arg("documents"),
      "`cevns rates DETECTOR --json -o OUTPUT`: (exit status, the JSON printed)");

  m.def(
      "scan",
      [](const std::string& study, const std::string& output, const std::string& json_output,
         const std::string& backend, std::optional<std::string> method, std::size_t chunk_points,
         const std::string& command, nb::object progress, bool catch_signals,
         const std::map<std::string, std::string>& documents) {
        ScanCommandOptions o;
        o.study_file = study;
        o.output = output;
        o.json_output = json_output;
        o.backend = backend;
        o.method = method;
        o.chunk_points = chunk_points;
        o.command_line = command;
        o.quiet = progress.is_none();
        return run_command(documents, progress, catch_signals, [&] { return run_scan_to_file(o); });
      },
      nb::arg("study"), nb::arg("output"), nb::arg("json_output"), nb::arg("backend"),
      nb::arg("method").none(), nb::arg("chunk_points"), nb::arg("command"),
      nb::arg("progress").none(), nb::arg("catch_signals"), nb::arg("documents"),
      "`cevns scan STUDY -o OUTPUT --json JSON_OUTPUT`: (exit status, the table printed)");

  m.def(
      "fit",
      [](const std::vector<std::string>& configs, const std::string& output,
         const std::string& json_output, const std::string& backend,
         std::optional<std::string> data_dir, const std::vector<std::string>& only, int grid_points,
         const std::string& command, nb::object progress, bool catch_signals,
         const std::map<std::string, std::string>& documents) {
        FitOptions o;
        o.config_files = configs;
        o.output = output;
        o.json_output = json_output;
        o.backend = backend;
        o.data_dir = data_dir;
        o.only = only;
        o.grid_points = grid_points;
        o.command_line = command;
        return run_command(documents, progress, catch_signals, [&] { return run_fit(o); });
      },
      nb::arg("configs"), nb::arg("output"), nb::arg("json_output"), nb::arg("backend"),
      nb::arg("data_dir").none(), nb::arg("only"), nb::arg("grid_points"), nb::arg("command"),
      nb::arg("progress").none(), nb::arg("catch_signals"), nb::arg("documents"),
      "`cevns fit CONFIG... -o OUTPUT --json JSON_OUTPUT`: (exit status, the table printed)");
}
