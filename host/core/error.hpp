// The one error type for bad input. It names the file, the JSON path (a JSON pointer, empty when
// the problem is not inside a document) and what was expected; main() prints it on one line and
// exits with status 2.
#pragma once

#include <stdexcept>
#include <string>

namespace cevns {

class InputError : public std::runtime_error {
 public:
  InputError(std::string file, std::string json_path, std::string expectation)
      : std::runtime_error(format(file, json_path, expectation)),
        file_(std::move(file)),
        json_path_(std::move(json_path)),
        expectation_(std::move(expectation)) {}

  const std::string& file() const { return file_; }
  const std::string& json_path() const { return json_path_; }
  const std::string& expectation() const { return expectation_; }

 private:
  static std::string format(const std::string& file, const std::string& path,
                            const std::string& expectation) {
    std::string s = file.empty() ? std::string("input") : file;
    if (!path.empty()) s += ": " + path;
    return s + ": " + expectation;
  }
  std::string file_, json_path_, expectation_;
};

// A failure of the machine rather than of the input: a full disk, a file-size limit, an I/O
// error. main() prints it on one line and exits with status 1.
class SystemError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace cevns
