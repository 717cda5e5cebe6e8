#include "host/core/json_reader.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cevns {

Json load_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "", std::string("cannot be read (") + std::strerror(errno) + ")");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
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
  }
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

void JsonObject::fail(const std::string& key, const std::string& expectation) const {
  throw InputError(file_, path_of(key), expectation);
}

const Json& JsonObject::require(const std::string& key) {
  used_.insert(key);
  if (!value_->contains(key)) fail(key, "missing required key");
  return (*value_)[key];
}

const Json& JsonObject::raw(const std::string& key) { return require(key); }

double JsonObject::number(const std::string& key, const std::function<bool(double)>& ok,
                          const std::string& expect, std::optional<double> fallback) {
  used_.insert(key);
  if (!value_->contains(key)) {
    if (fallback) return *fallback;
    fail(key, "missing required key (expected " + expect + ")");
  }
  const Json& v = (*value_)[key];
  if (!v.is_number() || !std::isfinite(v.get<double>()) || !ok(v.get<double>()))
    fail(key, "expected " + expect + ", got " + describe_json_value(v));
  return v.get<double>();
}

double JsonObject::positive(const std::string& key, std::optional<double> fallback) {
  return number(key, [](double x) { return x > 0.0; }, "a positive number", fallback);
}

double JsonObject::non_negative(const std::string& key, std::optional<double> fallback) {
  return number(key, [](double x) { return x >= 0.0; }, "a non-negative number", fallback);
}

double JsonObject::finite(const std::string& key, std::optional<double> fallback) {
  return number(key, [](double) { return true; }, "a number", fallback);
}

double JsonObject::fraction(const std::string& key, std::optional<double> fallback) {
  return number(key, [](double x) { return x >= 0.0 && x <= 1.0; }, "a number between 0 and 1",
                fallback);
}

int JsonObject::positive_integer(const std::string& key, std::optional<int> fallback) {
  return static_cast<int>(number(
      key, [](double x) { return x >= 1.0 && x == std::floor(x) && x < 2.0e9; },
      "a positive integer", fallback.has_value() ? std::optional<double>(*fallback) : std::nullopt));
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
    fail(key, "missing required key (expected a string)");
  }
  const Json& v = (*value_)[key];
  if (!v.is_string()) fail(key, "expected a string, got " + describe_json_value(v));
  return v.get<std::string>();
}

std::string JsonObject::one_of(const std::string& key, const std::vector<std::string>& choices,
                               std::optional<std::string> fallback) {
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "\"" : ", \"") + c + "\"";
  used_.insert(key);
  if (!value_->contains(key)) {
    if (fallback) return *fallback;
    fail(key, "missing required key (expected one of " + list + ")");
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
    fail(key, "missing required key (expected true or false)");
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
  for (std::size_t i = 0; i < v.size(); ++i) out.emplace_back(&v[i], path_of(key) + "/" + std::to_string(i));
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
    fail(key, "unknown key (expected one of: " + list + ")");
  }
}

}  // namespace cevns
