// Strict reading of JSON configs: every value is checked for type and range, every key must be
// known, and every failure is an InputError naming file, JSON pointer and expectation.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "host/core/error.hpp"

namespace cevns {

using Json = nlohmann::json;

// A document held in memory under a name that stands in for a file path (the Python module's
// configs given as dicts, named "<dict>"): while it lives, reading that path reads its text, and
// errors name it like a file. Relative paths inside it are resolved from the working directory.
class InMemoryDocument {
 public:
  InMemoryDocument(std::string name, std::string text);
  ~InMemoryDocument();
  InMemoryDocument(const InMemoryDocument&) = delete;
  InMemoryDocument& operator=(const InMemoryDocument&) = delete;

 private:
  std::string name_;
};

// Reads and parses a JSON file (or an InMemoryDocument); unreadable, empty or malformed files (or a
// directory) raise InputError.
Json load_json_file(const std::string& path);

// A JSON file being read, entered into the chain of files that led to it (a study naming a
// detector naming a source file). While it lives, naming it again anywhere down that chain is an
// InputError ("references itself (a.json -> b.json -> a.json)") instead of endless recursion.
class JsonFile {
 public:
  // A file named on the command line.
  explicit JsonFile(const std::string& path);
  // A file named inside another document: a missing or unreadable file, or a directory, is
  // reported at the reference (`from_file`, `from_path`), with the path and the system's reason.
  JsonFile(const std::string& path, const std::string& from_file, const std::string& from_path);
  ~JsonFile();
  JsonFile(const JsonFile&) = delete;
  JsonFile& operator=(const JsonFile&) = delete;

  const Json& json() const { return json_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  Json json_;
};

// The closest of `candidates` to `key` within a few edits (insertions, deletions, substitutions,
// swaps of neighbours), or "" when none is close: the "did you mean" of key errors.
std::string closest_key(const std::string& key, const std::vector<std::string>& candidates);

// Whether `name` can be an HDF5 group or dataset name: non-empty, printable ASCII, no '/', not
// starting with '.' ("." and ".." are path components to HDF5 and to h5py/xarray readers).
bool is_valid_hdf5_name(const std::string& name);

// A short rendering of a JSON value for error messages.
std::string describe_json_value(const Json& value);

class JsonObject {
 public:
  // Throws unless `value` is an object.
  JsonObject(const Json& value, std::string file, std::string path);

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  // RFC 6901: a member name's '~' is written "~0" and its '/' "~1" in a JSON pointer.
  std::string path_of(const std::string& key) const { return path_ + "/" + pointer_token(key); }
  static std::string pointer_token(const std::string& key);
  // Asking marks the key as known to the schema (for the unknown-key message).
  bool has(const std::string& key) const {
    used_.insert(key);
    return value_->contains(key);
  }
  const Json& raw(const std::string& key);  // marks the key used; throws when missing

  // Throws InputError at this key.
  [[noreturn]] void fail(const std::string& key, const std::string& expectation) const;

  // Numbers. `expect` describes the accepted range for the message ("a positive number").
  double number(const std::string& key, const std::function<bool(double)>& ok,
                const std::string& expect, std::optional<double> fallback = std::nullopt);
  double positive(const std::string& key, std::optional<double> fallback = std::nullopt);
  double non_negative(const std::string& key, std::optional<double> fallback = std::nullopt);
  double finite(const std::string& key, std::optional<double> fallback = std::nullopt);
  double fraction(const std::string& key, std::optional<double> fallback = std::nullopt);
  int positive_integer(const std::string& key, std::optional<int> fallback = std::nullopt);
  int non_negative_integer(const std::string& key, std::optional<int> fallback = std::nullopt);
  // An integer in [lo, hi]: "expected an integer from lo to hi".
  int integer_in(const std::string& key, int lo, int hi,
                 std::optional<int> fallback = std::nullopt);

  std::string string(const std::string& key, std::optional<std::string> fallback = std::nullopt);
  // A string that becomes an HDF5 group name (see is_valid_hdf5_name).
  std::string name(const std::string& key);
  std::string one_of(const std::string& key, const std::vector<std::string>& choices,
                     std::optional<std::string> fallback = std::nullopt);
  bool boolean(const std::string& key, std::optional<bool> fallback = std::nullopt);
  std::vector<double> numbers(const std::string& key);  // a non-empty array of finite numbers

  JsonObject object(const std::string& key);
  // A non-empty array; returns the elements with their paths.
  std::vector<std::pair<const Json*, std::string>> array(const std::string& key);

  // Every key not read is an error: "unknown key (expected one of: a, b, c)", with a "did you
  // mean" for a near miss.
  void finish(const std::vector<std::string>& also_allowed = {}) const;

  // A warning (see host/core/warning.hpp) at this key; the run goes on.
  void warn(const std::string& key, const std::string& text) const;

 private:
  const Json& require(const std::string& key);
  // "missing required key (expected ...)", naming a present, not yet read key that looks like a
  // misspelling of it.
  [[noreturn]] void fail_missing(const std::string& key, const std::string& expect) const;
  const Json* value_;
  std::string file_, path_;
  mutable std::set<std::string> used_;  // keys the schema knows (read or asked for)
};

}  // namespace cevns
