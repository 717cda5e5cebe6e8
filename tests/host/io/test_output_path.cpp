#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <functional>

#include "host/core/error.hpp"
#include "host/io/h5io.hpp"
#include "host/io/output_path.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::ScratchDir;

std::string error_of(const std::vector<OutputPath>& outputs) {
  try {
    check_output_paths(outputs);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(OutputPath, NewAndRegularFilesInAWritableDirectoryPass) {
  ScratchDir dir;
  const std::string existing = dir.write("old.h5", "x");
  EXPECT_EQ(error_of({{"-o", dir.file("new.h5")}, {"--json", existing}, {"--other", ""}}), "");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"old.h5"});  // checking creates nothing
}

TEST(OutputPath, DirectoryIsRefused) {
  ScratchDir dir;
  EXPECT_EQ(error_of({{"-o", dir.path()}}),
            dir.path() +
                ": is a directory, not a regular file (expected a new or regular file "
                "for -o)");
}

TEST(OutputPath, DeviceIsRefused) {
  EXPECT_EQ(error_of({{"--json", "/dev/null"}}),
            "/dev/null: is a device, not a regular file (expected a new or regular file for "
            "--json)");
}

TEST(OutputPath, FifoAndSocketAreRefused) {
  ScratchDir dir;
  ASSERT_EQ(::mkfifo(dir.file("fifo").c_str(), 0644), 0);
  EXPECT_EQ(error_of({{"-o", dir.file("fifo")}}),
            dir.file("fifo") +
                ": is a FIFO, not a regular file (expected a new or regular file "
                "for -o)");
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string sock = dir.file("sock");
  ASSERT_LT(sock.size(), sizeof addr.sun_path);
  sock.copy(addr.sun_path, sock.size());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(error_of({{"-o", sock}}),
            sock + ": is a socket, not a regular file (expected a new or regular file for -o)");
  ::close(fd);
}

TEST(OutputPath, SymlinkCountsAsItsTarget) {
  ScratchDir dir;
  ASSERT_EQ(::symlink("/dev/null", dir.file("null.h5").c_str()), 0);
  EXPECT_EQ(error_of({{"-o", dir.file("null.h5")}}),
            dir.file("null.h5") +
                ": is a device, not a regular file (expected a new or regular "
                "file for -o)");
  ASSERT_EQ(::symlink(dir.write("real.h5", "x").c_str(), dir.file("link.h5").c_str()), 0);
  EXPECT_EQ(error_of({{"-o", dir.file("link.h5")}}), "");
}

TEST(OutputPath, MissingOrUnwritableDirectoryIsRefused) {
  ScratchDir dir;
  EXPECT_EQ(error_of({{"-o", dir.file("missing/out.h5")}}),
            dir.file("missing/out.h5") + ": cannot be written (No such file or directory)");
  const std::string plain = dir.write("plain", "x");
  EXPECT_EQ(error_of({{"-o", plain + "/out.h5"}}),
            plain + "/out.h5: cannot be written (Not a directory)");
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only directories";
  ASSERT_EQ(::mkdir(dir.file("ro").c_str(), 0555), 0);
  EXPECT_EQ(error_of({{"-o", dir.file("ro/out.h5")}}),
            dir.file("ro/out.h5") + ": cannot be written (Permission denied)");
}

TEST(OutputPath, TwoOutputsOfOneCommandMustDiffer) {
  ScratchDir dir;
  EXPECT_EQ(error_of({{"-o", dir.file("x")}, {"--json", dir.file("x")}}),
            dir.file("x") + ": is the output of both -o and --json (expected different files)");
  // Another spelling of an existing file is the same file.
  const std::string existing = dir.write("y", "x");
  EXPECT_EQ(error_of({{"-o", existing}, {"--json", dir.path() + "/./y"}}),
            dir.path() + "/./y: is the output of both -o and --json (expected different files)");
}

TEST(RenameIntoPlace, ReplacesARegularFileButNotADevice) {
  ScratchDir dir;
  const std::string temp = dir.write("out.json.tmp", "new");
  const std::string out = dir.write("out.json", "old");
  rename_into_place(temp, out);
  EXPECT_EQ(testing::read_file(out), "new");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.json"});

  const std::string temp2 = dir.write("null.tmp", "x");
  try {
    rename_into_place(temp2, "/dev/null");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "/dev/null: cannot be written (is a device, not a regular file)");
  }
  EXPECT_TRUE(testing::file_exists(temp2));  // left for the caller to remove
}

TEST(H5FileCreate, RefusesADeviceOrDirectory) {
  for (const std::string& path : {std::string("/dev/null"), std::string("/tmp")}) {
    try {
      h5::File::create(path);
      FAIL() << path;
    } catch (const InputError& e) {
      EXPECT_EQ(e.expectation(), std::string("cannot be written (is a ") +
                                     (path == "/tmp" ? "directory" : "device") +
                                     ", not a regular file)");
    }
  }
}

TEST(H5FileCreate, CommitDoesNotRenameOverAFifoThatAppearedMeanwhile) {
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  {
    h5::File f = h5::File::create(path);
    f.root().set_attr("complete", 1LL);
    ASSERT_EQ(::mkfifo(path.c_str(), 0644), 0);
    try {
      f.commit();
      FAIL() << "no error";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()),
                path + ": cannot be written (is a FIFO, not a regular file)");
    }
  }
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.h5"});  // the temporary file is gone
}

}  // namespace
}  // namespace cevns
