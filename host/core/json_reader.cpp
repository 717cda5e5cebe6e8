#include "host/core/json_reader.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "host/core/warning.hpp"

namespace cevns {

namespace {

// Why `path` cannot be read as a JSON document, or "" when it can be opened.
std::string open_problem(const std::string& path, std::ifstream* in) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return "is a directory, expected a JSON file";
  in->open(path);
  if (!*in) return std::string("cannot be read (") + std::strerror(errno) + ")";
  return "";
}

Json parse_json_text(const std::string& path, const std::string& text) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw InputError(path, "", "is empty, expected a JSON document");
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    // Line and column of the byte where parsing stopped.
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string reason = e.what();
    const auto colon = reason.rfind(": ");
    if (colon != std::string::npos) reason = reason.substr(colon + 2);
    throw InputError(path, "",
                     "malformed JSON at line " + std::to_string(line) + ", column " +
                         std::to_string(column) + ": " + reason);
  } catch (const Json::out_of_range& e) {
    // A literal beyond the range of a double, e.g. 1e400 ("number overflow parsing '1e400'").
    std::string reason = e.what();
    const auto bracket = reason.find("] ");
    if (bracket != std::string::npos) reason = reason.substr(bracket + 2);
    throw InputError(path, "", "expected numbers within the range of a double (" + reason + ")");
  }
}

std::string read_text(std::ifstream& in) {
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::mutex in_memory_mutex;
std::map<std::string, std::string>& in_memory_documents() {
  static std::map<std::string, std::string> documents;
  return documents;
}

// The text of the document at `path`: an InMemoryDocument of that name, else the file. Returns
// why it cannot be read, or "".
std::string read_document(const std::string& path, std::string* text) {
  {
    const std::lock_guard<std::mutex> lock(in_memory_mutex);
    const auto& docs = in_memory_documents();
    const auto it = docs.find(path);
    if (it != docs.end()) {
      *text = it->second;
      return "";
    }
  }
  std::ifstream in;
  const std::string problem = open_problem(path, &in);
  if (problem.empty()) *text = read_text(in);
  return problem;
}

// The files being read, outermost first: the identity (the canonical path) to find a cycle, and
// the path as written to report it.
struct ChainLink {
  std::string identity, shown;
};
thread_local std::vector<ChainLink> file_chain;

std::string file_identity(const std::string& path) {
  std::error_code ec;
  const auto canonical = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : canonical.string();
}

}  // namespace

InMemoryDocument::InMemoryDocument(std::string name, std::string text) : name_(std::move(name)) {
  const std::lock_guard<std::mutex> lock(in_memory_mutex);
  in_memory_documents()[name_] = std::move(text);
}

InMemoryDocument::~InMemoryDocument() {
  const std::lock_guard<std::mutex> lock(in_memory_mutex);
  in_memory_documents().erase(name_);
}

Json load_json_file(const std::string& path) {
  std::string text;
  const std::string problem = read_document(path, &text);
  if (!problem.empty()) throw InputError(path, "", problem);
  return parse_json_text(path, text);
}

JsonFile::JsonFile(const std::string& path) : JsonFile(path, "", "") {}

JsonFile::JsonFile(const std::string& path, const std::string& from_file,
                   const std::string& from_path)
    : path_(path) {
  const std::string id = file_identity(path);
  for (std::size_t i = 0; i < file_chain.size(); ++i) {
    if (file_chain[i].identity != id) continue;
    std::string chain;
    for (std::size_t k = i; k < file_chain.size(); ++k) chain += file_chain[k].shown + " -> ";
    throw InputError(from_file, from_path.empty() ? "/" : from_path,
                     "references itself (" + chain + path + ")");
  }
  std::string text;
  const std::string problem = read_document(path, &text);
  if (!problem.empty()) {
    if (from_file.empty()) throw InputError(path, "", problem);
    throw InputError(from_file, from_path.empty() ? "/" : from_path, "\"" + path + "\" " + problem);
  }
  json_ = parse_json_text(path, text);
  file_chain.push_back(ChainLink{id, path});
}

JsonFile::~JsonFile() { file_chain.pop_back(); }

std::string closest_key(const std::string& key, const std::vector<std::string>& candidates) {
  // Optimal string alignment distance: Levenshtein plus swaps of neighbouring characters.
  const auto distance = [](const std::string& a, const std::string& b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
        d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
    return d[a.size()][b.size()];
  };
  // A third of the key's length, at least one: short keys such as "Z" and "N" are distinct
  // names, not misspellings of each other.
  const std::size_t limit = std::max<std::size_t>(1, key.size() / 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    const std::size_t dist = distance(key, c);
    if (dist < best_distance && std::min(key.size(), c.size()) > dist) {
      best = c;
      best_distance = dist;
    }
  }
  return best;
}

bool is_valid_hdf5_name(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;
  for (const char c : name)
    if (c == '/' || c < 0x20 || c > 0x7e) return false;
  return true;
}

std::string describe_json_value(const Json& value) {
  std::string s = value.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

JsonObject::JsonObject(const Json& value, std::string file, std::string path)
    : value_(&value), file_(std::move(file)), path_(std::move(path)) {
  if (!value.is_object())
    throw InputError(file_, path_.empty() ? "/" : path_,
                     "expected a JSON object, got " + describe_json_value(value));
}

std::string JsonObject::pointer_token(const std::string& key) {
  std::string t;
  for (char c : key) {
    if (c == '~')
      t += "~0";
    else if (c == '/')
      t += "~1";
    else
      t += c;
  }
  return t;
}

void JsonObject::fail(const std::string& key, const std::string& expectation) const {
  throw InputError(file_, path_of(key), expectation);
}

void JsonObject::fail_missing(const std::string& key, const std::string& expect) const {
  std::string message = "missing required key";
  if (!expect.empty()) message += " (expected " + expect + ")";
  // Keys not read so far: at this point a key read later is not yet known to be valid, so only
  // a near miss of the missing key is named.
  std::vector<std::string> unread;
  for (const auto& item : value_->items())
    if (!used_.count(item.key())) unread.push_back(item.key());
  const std::string near = key.size() >= 3 ? closest_key(key, unread) : std::string();
  if (!near.empty())
    message += "; found unknown key \"" + near + "\": did you mean \"" + key + "\"?";
  fail(key, message);
}

void JsonObject::warn(const std::string& key, const std::string& text) const {
  cevns::warn(file_, path_of(key), text);
}

const Json& JsonObject::require(const std::string& key) {
  used_.insert(key);
  if (!value_->contains(key)) fail_missing(key, "");
  return (*value_)[key];
}

const Json& JsonObject::raw(const std::string& key) { return require(key); }

double JsonObject::number(const std::string& key, const std::function<bool(double)>& ok,
                          const std::string& expect, std::optional<double> fallback) {
  used_.insert(key);
  if (!value_->contains(key)) {
    if (fallback) return *fallback;
    fail_missing(key, expect);
  }
  const Json& v = (*value_)[key];
  if (!v.is_number() || !std::isfinite(v.get<double>()) || !ok(v.get<double>()))
    fail(key, "expected " + expect + ", got " + describe_json_value(v));
  return v.get<double>();
}

double JsonObject::positive(const std::string& key, std::optional<double> fallback) {
  return number(
      key, [](double x) { return x > 0.0; }, "a positive number", fallback);
}

double JsonObject::non_negative(const std::string& key, std::optional<double> fallback) {
  return number(
      key, [](double x) { return x >= 0.0; }, "a non-negative number", fallback);
}

double JsonObject::finite(const std::string& key, std::optional<double> fallback) {
  return number(
      key, [](double) { return true; }, "a number", fallback);
}

double JsonObject::fraction(const std::string& key, std::optional<double> fallback) {
  return number(
      key, [](double x) { return x >= 0.0 && x <= 1.0; }, "a number between 0 and 1", fallback);
}

int JsonObject::positive_integer(const std::string& key, std::optional<int> fallback) {
  return static_cast<int>(number(
      key, [](double x) { return x >= 1.0 && x == std::floor(x) && x < 2.0e9; },
      "a positive integer",
      fallback.has_value() ? std::optional<double>(*fallback) : std::nullopt));
}

int JsonObject::non_negative_integer(const std::string& key, std::optional<int> fallback) {
  return static_cast<int>(number(
      key, [](double x) { return x >= 0.0 && x == std::floor(x) && x < 2.0e9; },
      "a non-negative integer",
      fallback.has_value() ? std::optional<double>(*fallback) : std::nullopt));
}

std::string JsonObject::string(const std::string& key, std::optional<std::string> fallback) {
  used_.insert(key);
  if (!value_->contains(key)) {
    if (fallback) return *fallback;
    fail_missing(key, "a string");
  }
  const Json& v = (*value_)[key];
  if (!v.is_string()) fail(key, "expected a string, got " + describe_json_value(v));
  return v.get<std::string>();
}

int JsonObject::integer_in(const std::string& key, int lo, int hi, std::optional<int> fallback) {
  return static_cast<int>(number(
      key, [lo, hi](double x) { return x >= lo && x <= hi && x == std::floor(x); },
      "an integer from " + std::to_string(lo) + " to " + std::to_string(hi),
      fallback.has_value() ? std::optional<double>(*fallback) : std::nullopt));
}

std::string JsonObject::name(const std::string& key) {
  const std::string s = string(key);
  if (!is_valid_hdf5_name(s))
    fail(key,
         "expected a name usable as an HDF5 group (non-empty, printable, no '/', not "
         "starting with '.'), got " +
             describe_json_value((*value_)[key]));
  return s;
}

std::string JsonObject::one_of(const std::string& key, const std::vector<std::string>& choices,
                               std::optional<std::string> fallback) {
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "\"" : ", \"") + c + "\"";
  used_.insert(key);
  if (!value_->contains(key)) {
    if (fallback) return *fallback;
    fail_missing(key, "one of " + list);
  }
  const Json& v = (*value_)[key];
  if (v.is_string()) {
    for (const auto& c : choices)
      if (v.get<std::string>() == c) return c;
  }
  fail(key, "expected one of " + list + ", got " + describe_json_value(v));
}

bool JsonObject::boolean(const std::string& key, std::optional<bool> fallback) {
  used_.insert(key);
  if (!value_->contains(key)) {
    if (fallback) return *fallback;
    fail_missing(key, "true or false");
  }
  const Json& v = (*value_)[key];
  if (!v.is_boolean()) fail(key, "expected true or false, got " + describe_json_value(v));
  return v.get<bool>();
}

std::vector<double> JsonObject::numbers(const std::string& key) {
  const Json& v = require(key);
  if (!v.is_array() || v.empty()) fail(key, "expected a non-empty array of numbers");
  std::vector<double> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_number() || !std::isfinite(v[i].get<double>()))
      throw InputError(file_, path_of(key) + "/" + std::to_string(i),
                       "expected a number, got " + describe_json_value(v[i]));
    out.push_back(v[i].get<double>());
  }
  return out;
}

JsonObject JsonObject::object(const std::string& key) {
  return JsonObject(require(key), file_, path_of(key));
}

std::vector<std::pair<const Json*, std::string>> JsonObject::array(const std::string& key) {
  const Json& v = require(key);
  if (!v.is_array() || v.empty())
    fail(key, "expected a non-empty array, got " + describe_json_value(v));
  std::vector<std::pair<const Json*, std::string>> out;
  for (std::size_t i = 0; i < v.size(); ++i)
    out.emplace_back(&v[i], path_of(key) + "/" + std::to_string(i));
  return out;
}

void JsonObject::finish(const std::vector<std::string>& also_allowed) const {
  for (const auto& item : value_->items()) {
    const std::string& key = item.key();
    if (used_.count(key)) continue;
    bool allowed = false;
    for (const auto& a : also_allowed) allowed = allowed || a == key;
    if (allowed) continue;
    std::string list;
    std::set<std::string> known(used_.begin(), used_.end());
    known.insert(also_allowed.begin(), also_allowed.end());
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    const std::string near = closest_key(key, {known.begin(), known.end()});
    fail(key, "unknown key" + (near.empty() ? std::string() : ", did you mean \"" + near + "\"?") +
                  " (expected one of: " + list + ")");
  }
}

}  // namespace cevns
