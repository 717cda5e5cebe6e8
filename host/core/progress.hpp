// Progress of long scans on stderr: a bar with rate and time left on a terminal, a plain line
// every few seconds otherwise (batch logs), nothing with --quiet.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace cevns {

// A receiver of progress in place of the display on stderr (the Python module's progress bar).
class ProgressListener {
 public:
  virtual ~ProgressListener() = default;
  virtual void start(const std::string& label, std::size_t total) = 0;
  virtual void advance(std::size_t done, std::size_t total) = 0;
  virtual void finish(std::size_t done, std::size_t total) = 0;
  virtual void note(const std::string& line) = 0;
};

// While set (not null), every Progress that is not quiet reports to `listener` instead of
// drawing on stderr. Process-wide; returns the previous listener.
ProgressListener* set_progress_listener(ProgressListener* listener);

class Progress {
 public:
  enum class Mode { kAuto, kQuiet };
  explicit Progress(Mode mode = Mode::kAuto);

  // Starts a task of `total` units (grid points), labelled for the user.
  void start(const std::string& label, std::size_t total);
  void advance(std::size_t units);
  void finish();

  // One line of information (not progress), shown unless quiet.
  void note(const std::string& line);

 private:
  void draw(bool final_line);
  bool quiet_, tty_;
  std::string label_;
  std::size_t total_ = 0, done_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace cevns
