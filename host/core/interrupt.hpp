// Ctrl-C and SIGTERM as requests to stop between two pieces of work, so that long runs save what
// they finished (checkpoints) and exit cleanly.
#pragma once

#include <csignal>

namespace cevns {

// SIGINT and SIGTERM set a flag (and print one line) instead of killing the process; a second
// signal of either kind, a second or more later, kills it as usual (one within a second is taken
// for the same request delivered twice). pending_interrupt() is the first signal, or 0.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  static int pending_interrupt();

 private:
  struct sigaction old_int_, old_term_;
};

// Thrown between two pieces of work once SIGINT or SIGTERM arrived (the grid driver checks before
// every slice); finished checkpoint chunks are already flushed, temporary files are removed as
// the stack unwinds.
struct ScanInterrupted {
  int signal;
};

// Throws ScanInterrupted when a guard is installed and a signal arrived; else nothing.
void throw_if_interrupted();

const char* signal_name(int signal);  // "SIGINT", "SIGTERM"

}  // namespace cevns
