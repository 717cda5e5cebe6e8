#include "host/core/warning.hpp"

#include <cstdio>
#include <utility>

namespace cevns {

namespace {

void to_stderr(const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }

WarningSink& sink() {
  static WarningSink s = to_stderr;
  return s;
}

}  // namespace

void warn(const std::string& file, const std::string& json_path, const std::string& text) {
  // The same "file: path: text" shape as an InputError, so both read alike.
  std::string line = "cevns: warning: " + (file.empty() ? std::string("input") : file);
  if (!json_path.empty()) line += ": " + json_path;
  sink()(line + ": " + text);
}

WarningSink set_warning_sink(WarningSink s) {
  WarningSink previous = std::move(sink());
  sink() = s ? std::move(s) : WarningSink(to_stderr);
  return previous;
}

}  // namespace cevns
