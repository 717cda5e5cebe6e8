// Warnings about input that is possible but implausible (a baseline in km given as metres, a
// radius in the wrong unit). Unlike an InputError they do not stop the run: one line on stderr,
// "cevns: warning: FILE: /json/path: text", and the program goes on.
#pragma once

#include <functional>
#include <string>

namespace cevns {

void warn(const std::string& file, const std::string& json_path, const std::string& text);

// Where warning lines go (without the trailing newline); stderr by default. Returns the previous
// sink, so that a test can capture warnings and restore it.
using WarningSink = std::function<void(const std::string& line)>;
WarningSink set_warning_sink(WarningSink sink);

}  // namespace cevns
