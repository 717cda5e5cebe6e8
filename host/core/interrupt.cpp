#include "host/core/interrupt.hpp"

#include <time.h>
#include <unistd.h>

#include <cstring>

namespace cevns {

namespace {

volatile std::sig_atomic_t g_interrupt = 0;
struct timespec g_first_signal;

double seconds_since(const struct timespec& t) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return double(now.tv_sec - t.tv_sec) + 1e-9 * double(now.tv_nsec - t.tv_nsec);
}

// Async-signal-safe: write(), clock_gettime(), signal() and raise() only.
extern "C" void on_interrupt(int sig) {
  if (g_interrupt != 0) {
    // A second signal kills at once, unless it is the first one delivered again within a second
    // (a terminal's Ctrl-C reaches the whole process group, and a wrapper script or a batch
    // system may forward the same request).
    if (seconds_since(g_first_signal) < 1.0) return;
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_interrupt = sig;
  clock_gettime(CLOCK_MONOTONIC, &g_first_signal);
  static const char msg[] = "\ncevns: interrupted: stopping (signal again to kill)\n";
  const ssize_t ignored = ::write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_interrupt = 0;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

int InterruptGuard::pending_interrupt() { return g_interrupt; }

void throw_if_interrupted() {
  if (const int sig = g_interrupt) throw ScanInterrupted{sig};
}

const char* signal_name(int sig) {
  return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

}  // namespace cevns
