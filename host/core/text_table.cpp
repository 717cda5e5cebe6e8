#include "host/core/text_table.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cevns {

namespace {

std::string shown(const std::string& text) {
  std::string s = text;
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return "\"" + s + "\"";
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Splits on commas when the line has any (each field trimmed, empty fields kept so that "1,,2"
// is rejected), else on whitespace; parses every field as a finite number.
bool parse_numbers(const std::string& text, std::vector<double>* out) {
  std::vector<std::string> fields;
  if (text.find(',') != std::string::npos) {
    std::stringstream ss(text);
    std::string f;
    while (std::getline(ss, f, ',')) fields.push_back(trim(f));
    if (!text.empty() && text.back() == ',') fields.push_back("");
  } else {
    std::stringstream ss(text);
    std::string f;
    while (ss >> f) fields.push_back(f);
  }
  out->clear();
  for (const auto& f : fields) {
    if (f.empty()) return false;
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(f.c_str(), &end);
    if (end != f.c_str() + f.size() || errno == ERANGE || !std::isfinite(v)) return false;
    out->push_back(v);
  }
  return true;
}

}  // namespace

std::string line_label(int line) { return "line " + std::to_string(line); }

std::vector<TableRow> read_numeric_table(const std::string& path, int columns, int header_lines) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "", std::string("cannot be read (") + std::strerror(errno) + ")");
  std::vector<TableRow> rows;
  std::string raw;
  int line = 0, headers = 0;
  std::vector<double> values;
  while (std::getline(in, raw)) {
    ++line;
    const std::string text = trim(raw);
    if (text.empty() || text[0] == '#') continue;
    if (!parse_numbers(text, &values) || static_cast<int>(values.size()) != columns) {
      // A non-numeric line before any data is a column header, where one is allowed.
      if (rows.empty() && headers < header_lines && !parse_numbers(text, &values)) {
        ++headers;
        continue;
      }
      throw InputError(path, line_label(line),
                       "expected " + std::to_string(columns) +
                           " numbers separated by commas or spaces, got " + shown(text));
    }
    rows.push_back(TableRow{line, values});
  }
  return rows;
}

std::optional<std::string> choose_data_dir(const std::optional<std::string>& command_line,
                                           const std::optional<std::string>& config_value) {
  if (command_line && !command_line->empty()) return command_line;
  if (const char* env = std::getenv("CEVNS_DATA"); env && *env) return std::string(env);
  if (config_value && !config_value->empty()) return config_value;
  return std::nullopt;
}

}  // namespace cevns
