// Helpers shared by the tests: scratch directories, files, and running the cevns binary.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace cevns::testing {

// A fresh directory under the test temp dir, removed with its contents at scope exit.
class ScratchDir {
 public:
  ScratchDir() {
    std::string templ =
        std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/cevns-test-XXXXXX";
    path_ = mkdtemp(templ.data());
  }
  ~ScratchDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(file(name)) << content;
    return file(name);
  }
  // The names in the directory, sorted: to check that a failed run left nothing behind.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline bool file_exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

#ifdef CEVNS_BINARY  // builds with the command-line program (HDF5)
struct CommandResult {
  int status;
  std::string out, err;
};

// Runs the cevns binary with `args` (shell words) from the source tree.
inline CommandResult run_cevns(const std::string& args) {
  ScratchDir dir;
  const std::string cmd = std::string("cd '") + CEVNS_SOURCE_DIR + "' && '" + CEVNS_BINARY + "' " +
                          args + " > '" + dir.file("out") + "' 2> '" + dir.file("err") + "'";
  const int raw = std::system(cmd.c_str());
  return CommandResult{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, read_file(dir.file("out")),
                       read_file(dir.file("err"))};
}

#endif

// COHERENT releases for the data tests: ../shared/data/coherent beside the repository.
inline bool have_shared_data(const std::string& release) {
  return file_exists(std::string(CEVNS_SHARED_DATA_DIR) + "/" + release);
}

#define CEVNS_SKIP_WITHOUT_DATA(release)                                               \
  if (!::cevns::testing::have_shared_data(release))                                    \
  GTEST_SKIP() << "COHERENT data not found at " CEVNS_SHARED_DATA_DIR "/" << (release) \
               << " (shared/data/coherent beside the repository)"

inline std::string source_path(const std::string& relative) {
  return std::string(CEVNS_SOURCE_DIR) + "/" + relative;
}

}  // namespace cevns::testing
