#include "host/io/output_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "host/core/error.hpp"

namespace cevns {

namespace {

std::string directory_part(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool same_file(const std::string& a, const std::string& b) {
  if (a == b) return true;
  // Two spellings of one file (./x.h5 and x.h5, a link) exist only when the file does.
  struct stat sa, sb;
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

}  // namespace

std::string non_regular_file_problem(const std::string& path) {
  struct stat st;
  // stat, not lstat: a symlink is judged by its target (a link to /dev/null is a device); a
  // dangling link is replaced by the rename like an absent file.
  if (::stat(path.c_str(), &st) != 0) return "";
  if (S_ISREG(st.st_mode)) return "";
  if (S_ISDIR(st.st_mode)) return "is a directory, not a regular file";
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return "is a device, not a regular file";
  if (S_ISFIFO(st.st_mode)) return "is a FIFO, not a regular file";
  if (S_ISSOCK(st.st_mode)) return "is a socket, not a regular file";
  return "is not a regular file";
}

void rename_into_place(const std::string& temp, const std::string& path) {
  const std::string problem = non_regular_file_problem(path);
  if (!problem.empty()) throw InputError(path, "", "cannot be written (" + problem + ")");
  if (std::rename(temp.c_str(), path.c_str()) != 0)
    throw InputError(path, "", std::string("cannot be written (") + std::strerror(errno) + ")");
}

void write_text_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  std::ofstream out(tmp);
  if (!out)
    throw InputError(path, "", std::string("cannot be written (") + std::strerror(errno) + ")");
  out << text;
  out.close();
  if (!out) {
    std::remove(tmp.c_str());
    throw InputError(path, "", "cannot be written (write failed)");
  }
  try {
    rename_into_place(tmp, path);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
}

void check_output_paths(const std::vector<OutputPath>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const OutputPath& out = outputs[i];
    if (out.path.empty()) continue;
    const std::string expected = " (expected a new or regular file for " + out.option + ")";
    const std::string problem = non_regular_file_problem(out.path);
    if (!problem.empty()) throw InputError(out.path, "", problem + expected);
    // The directory's problems read as File::create reports them once it is too late.
    const std::string dir = directory_part(out.path);
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0)
      throw InputError(out.path, "",
                       std::string("cannot be written (") + std::strerror(errno) + ")");
    if (!S_ISDIR(st.st_mode))
      throw InputError(out.path, "",
                       std::string("cannot be written (") + std::strerror(ENOTDIR) + ")");
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      throw InputError(out.path, "",
                       std::string("cannot be written (") + std::strerror(errno) + ")");
    for (std::size_t k = 0; k < i; ++k)
      if (!outputs[k].path.empty() && same_file(outputs[k].path, out.path))
        throw InputError(out.path, "",
                         "is the output of both " + outputs[k].option + " and " + out.option +
                             " (expected different files)");
  }
}

}  // namespace cevns
