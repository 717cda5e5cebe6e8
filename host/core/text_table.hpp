// Numeric text tables (the releases' files, tabulated responses) and where the data files are:
// read by the configs of forecasts and of data fits alike.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/core/error.hpp"

namespace cevns {

struct TableRow {
  int line;  // 1-based line number in the file
  std::vector<double> values;
};

// Reads rows of exactly `columns` numbers separated by commas and/or whitespace. Blank lines and
// lines starting with '#' are skipped; `header_lines` > 0 allows up to that many leading
// non-numeric lines (a column header). Any other line that is not `columns` finite numbers is
// an InputError: "<file>: line N: expected K numbers separated by commas or spaces, got "...""
std::vector<TableRow> read_numeric_table(const std::string& path, int columns,
                                         int header_lines = 0);

// The directory holding the releases: --data-dir, else $CEVNS_DATA, else the config's value
// (already resolved against the config's directory); nullopt when none is given.
std::optional<std::string> choose_data_dir(const std::optional<std::string>& command_line,
                                           const std::optional<std::string>& config_value);

// "line N", the JSON-path slot of an InputError about a text file.
std::string line_label(int line);

}  // namespace cevns
