#include "host/core/progress.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>

namespace cevns {

namespace {

std::string format_duration(double seconds) {
  char buf[32];
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", seconds);
  } else if (seconds < 3600) {
    std::snprintf(buf, sizeof buf, "%dm%02ds", int(seconds) / 60, int(seconds) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%dh%02dm", int(seconds) / 3600, (int(seconds) % 3600) / 60);
  }
  return buf;
}

std::atomic<ProgressListener*> g_listener{nullptr};

}  // namespace

ProgressListener* set_progress_listener(ProgressListener* listener) {
  return g_listener.exchange(listener);
}

Progress::Progress(Mode mode) : quiet_(mode == Mode::kQuiet), tty_(isatty(STDERR_FILENO) == 1) {}

void Progress::start(const std::string& label, std::size_t total) {
  label_ = label;
  total_ = total;
  done_ = 0;
  start_ = last_draw_ = std::chrono::steady_clock::now();
  if (quiet_) return;
  if (ProgressListener* l = g_listener.load()) return l->start(label_, total_);
  if (!tty_) std::fprintf(stderr, "%s: %zu points\n", label_.c_str(), total_);
}

void Progress::advance(std::size_t units) {
  done_ += units;
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  if (ProgressListener* l = g_listener.load()) {
    if (std::chrono::duration<double>(now - last_draw_).count() > 0.1) {
      last_draw_ = now;
      l->advance(done_, total_);
    }
    return;
  }
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if ((tty_ && since > 0.1) || (!tty_ && since > 5.0)) {
    last_draw_ = now;
    draw(false);
  }
}

void Progress::finish() {
  if (quiet_) return;
  if (ProgressListener* l = g_listener.load()) return l->finish(done_, total_);
  draw(true);
}

void Progress::note(const std::string& line) {
  if (quiet_) return;
  if (ProgressListener* l = g_listener.load()) return l->note(line);
  std::fprintf(stderr, "%s\n", line.c_str());
}

void Progress::draw(bool final_line) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double frac = total_ ? double(done_) / double(total_) : 1.0;
  const double rate = elapsed > 0 ? done_ / elapsed : 0.0;
  const double left = rate > 0 ? (total_ - done_) / rate : 0.0;
  char rate_text[32];
  std::snprintf(rate_text, sizeof rate_text, rate >= 1e6 ? "%.3g Mpt/s" : "%.3g pt/s",
                rate >= 1e6 ? rate / 1e6 : rate);
  if (tty_) {
    const int width = 30, filled = int(frac * width + 0.5);
    std::string bar(filled, '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "\r%-28.28s [%s] %5.1f%% %s, %s %s\x1b[K", label_.c_str(), bar.c_str(),
                 100.0 * frac, rate_text, final_line ? "took" : "left",
                 format_duration(final_line ? elapsed : left).c_str());
    if (final_line) std::fputc('\n', stderr);
  } else {
    std::fprintf(stderr, "%s: %zu/%zu points (%.1f%%), %s, %s %s\n", label_.c_str(), done_, total_,
                 100.0 * frac, rate_text, final_line ? "took" : "time left",
                 format_duration(final_line ? elapsed : left).c_str());
  }
  std::fflush(stderr);
}

}  // namespace cevns
