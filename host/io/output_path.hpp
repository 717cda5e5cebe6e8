// Output files are checked before any computation: a run of hours must not end in "cannot be
// written", and a wrong path (a directory, /dev/null, a FIFO) must not receive a rename.
#pragma once

#include <string>
#include <vector>

namespace cevns {

// One output of a command: the option that names it ("-o", "--json") and its path ("" = none).
struct OutputPath {
  std::string option;
  std::string path;
};

// Throws InputError(path, "", ...) unless every named output can be written: its directory
// exists and is writable ("cannot be written (<reason>)"), the path is absent or a regular file
// (a symlink counts as what it points to: "is a device, not a regular file (expected a new or
// regular file for -o)"), and no two outputs are the same file.
void check_output_paths(const std::vector<OutputPath>& outputs);

// "" when `path` is absent or a regular file, else what it is ("is a directory, not a regular
// file", "is a device, ..."): the last check before a rename or truncation at `path`.
std::string non_regular_file_problem(const std::string& path);

// Publishes a finished temporary file: renames `temp` to `path` unless `path` has meanwhile
// become something other than a regular file. Throws InputError(path, "", "cannot be written
// (<reason>)"); `temp` is then left for the caller to remove.
void rename_into_place(const std::string& temp, const std::string& path);

// Writes `text` to `path` through a temporary file beside it and rename_into_place: a failure
// leaves neither a partial file at `path` nor the temporary one.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace cevns
