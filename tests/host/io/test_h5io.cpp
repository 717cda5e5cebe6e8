#include <gtest/gtest.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/core/error.hpp"
#include "host/io/h5io.hpp"

namespace cevns::h5 {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed with everything in it afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    std::string base = testing::TempDir();
    if (base.empty() || base.back() != '/') base += '/';
    std::string pattern = base + "cevns_h5io_XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path_))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string path_;
};

// Raw HDF5 access, to check what the wrapper wrote independently of its own readers. HDF5 refuses
// to open a file twice with different close degrees, so this matches File's H5F_CLOSE_STRONG.
class RawFile {
 public:
  explicit RawFile(const std::string& path) {
    const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
    id_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    if (id_ < 0) throw std::runtime_error("cannot open " + path);
  }
  ~RawFile() { H5Fclose(id_); }
  hid_t id() const { return id_; }

 private:
  hid_t id_;
};

class RawDataset {
 public:
  RawDataset(const RawFile& file, const std::string& path)
      : id_(H5Dopen2(file.id(), path.c_str(), H5P_DEFAULT)) {
    if (id_ < 0) throw std::runtime_error("cannot open dataset " + path);
  }
  ~RawDataset() { H5Dclose(id_); }
  hid_t id() const { return id_; }

 private:
  hid_t id_;
};

std::string scale_name(const RawDataset& scale) {
  char name[256] = {};
  if (H5DSget_scale_name(scale.id(), name, sizeof name) < 0) return "<none>";
  return name;
}

// --- File ----------------------------------------------------------------------------------------

TEST(H5File, CommitRenamesAndDestructorRemovesTemp) {
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  {
    File file = File::create(path);
    file.root().set_attr("program", "cevns-scan");
    // Until commit() only the temporary file, beside the final path, exists.
    const std::vector<std::string> before = dir.entries();
    ASSERT_EQ(before.size(), 1u);
    EXPECT_EQ(before[0].rfind("out.h5.tmp-", 0), 0u) << before[0];
    file.commit();
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.h5"});
  }
  // Destroying a committed File must not remove the committed file.
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.h5"});
  EXPECT_EQ(File::open_read(path).root().attr_string("program"), "cevns-scan");
}

TEST(H5File, DestructorWithoutCommitLeavesNoFile) {
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  try {
    File file = File::create(path);
    Group g = file.root().group("scan/det/scenario");
    g.coordinate("x", {1.0, 2.0}, "1", "x");
    g.variable("chi2", {"x"}, {0.5, 1.5}, "1", "chi-square");
    throw std::runtime_error("the scan failed half-way");
  } catch (const std::runtime_error&) {
  }
  EXPECT_TRUE(dir.entries().empty()) << "left behind: " << dir.entries().front();
}

TEST(H5File, CreateInMissingDirectoryThrowsInputError) {
  ScratchDir dir;
  const std::string path = dir.file("missing/out.h5");
  try {
    File::create(path);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.json_path(), "");
    EXPECT_EQ(e.expectation(), "cannot be written (No such file or directory)");
    EXPECT_EQ(std::string(e.what()), path + ": cannot be written (No such file or directory)");
  }
  EXPECT_TRUE(dir.entries().empty());
}

TEST(H5File, CreateOverADirectoryThrowsInputError) {
  ScratchDir dir;
  fs::create_directory(dir.file("taken"));
  EXPECT_THROW(File::create(dir.file("taken")), InputError);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"taken"});
}

TEST(H5File, OpenMissingOrNonHdf5FileThrowsInputError) {
  ScratchDir dir;
  const std::string missing = dir.file("missing.h5");
  try {
    File::open_read(missing);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              missing + ": cannot be read as HDF5 (No such file or directory)");
  }
  const std::string text = dir.file("config.json");
  std::ofstream(text) << "{\"not\": \"hdf5\"}\n";
  try {
    File::open_readwrite(text);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), text + ": cannot be read as HDF5 (not an HDF5 file)");
  }
}

TEST(H5File, OpenReadWriteResumesCheckpointInPlace) {
  ScratchDir dir;
  const std::string path = dir.file("scan.h5");
  {
    File file = File::create(path);
    Group g = file.root().group("s");
    g.coordinate("p0", {0.0, 1.0, 2.0, 3.0}, "1", "p0");
    g.create_variable("chi2", {"p0"}, "1", "chi-square");
    const double first[] = {10.0, 11.0};
    g.write_rows("chi2", 0, 2, first);
    file.root().set_attr("complete", 0);
    file.commit();
  }
  {
    File file = File::open_readwrite(path);
    Group g = file.root().group("s");  // opens the existing group
    const double rest[] = {12.0, 13.0};
    g.write_rows("chi2", 2, 2, rest);
    file.root().set_attr("complete", 1);
    file.commit();
  }
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"scan.h5"});
  File file = File::open_read(path);
  EXPECT_EQ(file.root().attr_int("complete"), 1);
  EXPECT_EQ(file.root().group("s").read("chi2"), (std::vector<double>{10.0, 11.0, 12.0, 13.0}));
}

TEST(H5File, GroupsOutlivingCommitThrowInsteadOfTouchingTheClosedFile) {
  ScratchDir dir;
  File file = File::create(dir.file("out.h5"));
  Group root = file.root();
  Group nested = root.group("a/b");
  nested.set_attr("n", 3);
  file.commit();  // closes the file although `root` and `nested` are still alive
  EXPECT_THROW(nested.set_attr("n", 4), std::runtime_error);
  EXPECT_THROW(root.children(), std::runtime_error);
  EXPECT_THROW(file.root(), std::runtime_error);
  EXPECT_EQ(File::open_read(dir.file("out.h5")).root().group("a/b").attr_int("n"), 3);
}

TEST(H5File, MoveAssignmentDiscardsTheOverwrittenUncommittedFile) {
  ScratchDir dir;
  File file = File::create(dir.file("first.h5"));
  file = File::create(dir.file("second.h5"));
  file.root().set_attr("which", "second");
  File moved = std::move(file);
  moved.commit();
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"second.h5"});
}

TEST(H5File, WritingToAReadOnlyFileThrowsRuntimeErrorNamingTheObject) {
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  {
    File file = File::create(path);
    file.root().group("g");
    file.commit();
  }
  File file = File::open_read(path);
  Group g = file.root().group("g");
  try {
    g.set_attr("units", "keV");
    FAIL() << "expected std::runtime_error";
  } catch (const InputError&) {
    FAIL() << "an HDF5 failure inside an open file is not an input error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("attribute 'units' of '/g'"), std::string::npos) << what;
  }
}

// --- Group: groups and attributes ----------------------------------------------------------------

TEST(H5Group, NestedGroupsCreateIntermediatesAndListChildrenInCreationOrder) {
  ScratchDir dir;
  File file = File::create(dir.file("out.h5"));
  Group root = file.root();
  Group c = root.group("scan/det/zeta");
  EXPECT_EQ(c.path(), "/scan/det/zeta");
  root.group("scan/det/alpha");
  c.coordinate("x", {1.0}, "1", "x");
  EXPECT_TRUE(root.has("scan"));
  EXPECT_TRUE(root.has("scan/det/zeta/x"));
  EXPECT_FALSE(root.has("scan/missing/x"));
  EXPECT_FALSE(root.has("scan/det/zeta/x/deeper"));
  EXPECT_TRUE(root.is_group("scan/det"));
  EXPECT_FALSE(c.is_group("x"));
  EXPECT_FALSE(c.is_group("absent"));
  EXPECT_EQ(root.group("scan/det").children(), (std::vector<std::string>{"zeta", "alpha"}));
  EXPECT_EQ(c.children(), std::vector<std::string>{"x"});
  EXPECT_THROW(c.group("x"), std::invalid_argument);  // a dataset, not a group
  EXPECT_THROW(root.group(""), std::invalid_argument);
  EXPECT_THROW(root.group("/absolute"), std::invalid_argument);
}

TEST(H5Group, AttributesRoundTripAndOverwrite) {
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  const std::string config(200000, 'j');  // beyond the 64 KiB of a compact attribute
  {
    File file = File::create(path);
    Group g = file.root().group("g");
    g.set_attr("detector", "CsI[Na]");
    g.set_attr("label", "σ_α ≤ 0.1");
    g.set_attr("empty", "");
    g.set_attr("config_json", config);
    g.set_attr("cl", 0.9);
    g.set_attr("complete", 1LL);
    g.set_attr("count", std::size_t{7});
    g.set_attr("best_fit", std::vector<double>{0.238, 1.5e-3});
    g.set_attr("no_values", std::vector<double>{});
    g.set_attr("cl", 0.95);          // same type
    g.set_attr("complete", "done");  // different type
    file.commit();
  }
  File file = File::open_read(path);
  const Group g = file.root().group("g");
  EXPECT_EQ(g.attr_string("detector"), "CsI[Na]");
  EXPECT_EQ(g.attr_string("label"), "σ_α ≤ 0.1");
  EXPECT_EQ(g.attr_string("empty"), "");
  EXPECT_EQ(g.attr_string("config_json"), config);
  EXPECT_EQ(g.attr_double("cl"), 0.95);
  EXPECT_EQ(g.attr_string("complete"), "done");
  EXPECT_EQ(g.attr_int("count"), 7);
  EXPECT_EQ(g.attr_double("count"), 7.0);  // integers convert
  EXPECT_EQ(g.attr_doubles("best_fit"), (std::vector<double>{0.238, 1.5e-3}));
  EXPECT_EQ(g.attr_doubles("cl"), std::vector<double>{0.95});
  EXPECT_TRUE(g.attr_doubles("no_values").empty());
  EXPECT_TRUE(g.has_attr("cl"));
  EXPECT_FALSE(g.has_attr("absent"));
  EXPECT_THROW(g.attr_string("absent"), std::runtime_error);
  EXPECT_THROW(g.attr_string("cl"), std::runtime_error);
  EXPECT_THROW(g.attr_double("detector"), std::runtime_error);
  EXPECT_THROW(g.attr_double("best_fit"), std::runtime_error);
}

TEST(H5Group, OverwritesAttributesInDenseStorage) {
  // Past 8 attributes HDF5 moves them to dense storage; the root group holds about ten, and
  // `complete` is rewritten when a checkpointed scan finishes.
  ScratchDir dir;
  File file = File::create(dir.file("out.h5"));
  Group root = file.root();
  for (int i = 0; i < 20; ++i) root.set_attr("a" + std::to_string(i), i);
  for (int i = 0; i < 20; ++i) root.set_attr("a" + std::to_string(i), "v" + std::to_string(i));
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(root.attr_string("a" + std::to_string(i)), "v" + std::to_string(i));
}

TEST(H5Group, StringAttributesAreVariableLengthUtf8) {
  // h5py (and so xarray) returns variable-length UTF-8 strings as str, other strings as bytes.
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  {
    File file = File::create(path);
    Group root = file.root();
    root.set_attr("program", "cevns-scan");
    root.coordinate("x", {1.0}, "keV", "x");
    root.set_dataset_attr("x", "scale", "log");
    file.commit();
  }
  RawFile raw(path);
  for (const auto& [object, name] : std::vector<std::pair<std::string, std::string>>{
           {"/", "program"}, {"x", "units"}, {"x", "long_name"}, {"x", "scale"}}) {
    const hid_t attr =
        H5Aopen_by_name(raw.id(), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(attr, 0) << object << " " << name;
    const hid_t type = H5Aget_type(attr);
    EXPECT_GT(H5Tis_variable_str(type), 0) << object << " " << name;
    EXPECT_EQ(H5Tget_cset(type), H5T_CSET_UTF8) << object << " " << name;
    H5Tclose(type);
    H5Aclose(attr);
  }
  File file = File::open_read(path);
  EXPECT_EQ(file.root().dataset_attr_string("x", "scale"), "log");
  EXPECT_EQ(file.root().dataset_attr_string("x", "units"), "keV");
}

TEST(H5Group, ReadsFixedLengthStringAttributesAsNetcdfWritesThem) {
  ScratchDir dir;
  const std::string path = dir.file("fixed.h5");
  {
    const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, 8);
    H5Tset_strpad(type, H5T_STR_NULLPAD);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t attr = H5Acreate2(f, "units", type, space, H5P_DEFAULT, H5P_DEFAULT);
    const char value[8] = {'k', 'e', 'V', 0, 0, 0, 0, 0};
    H5Awrite(attr, type, value);
    H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
    H5Fclose(f);
  }
  EXPECT_EQ(File::open_read(path).root().attr_string("units"), "keV");
}

// --- Group: datasets -----------------------------------------------------------------------------

TEST(H5Group, VariableRoundTripWithDimensionScales) {
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  const std::vector<double> p0 = {0.1, 0.2, 0.3};
  const std::vector<double> p1 = {1.0, 10.0};
  const std::vector<double> chi2 = {0.0, 1.0, 2.0, 3.0, 4.0, 5.0};  // (p1, p0): p0 fastest
  {
    File file = File::create(path);
    Group g = file.root().group("scan/det/ideal");
    g.coordinate("sin2_2theta", p0, "1", "sterile mixing");
    g.coordinate("dm2_eV2", p1, "eV^2", "mass splitting");
    g.set_dataset_attr("dm2_eV2", "scale", "log");
    g.index_coordinate("contour", 2, "contour index");
    g.variable("chi2", {"dm2_eV2", "sin2_2theta"}, chi2, "1", "chi-square");
    g.variable_int("contour_length", {"contour"}, {4, 7}, "1", "points per contour");
    file.commit();
  }
  {
    File file = File::open_read(path);
    const Group g = file.root().group("scan/det/ideal");
    std::vector<std::size_t> shape;
    EXPECT_EQ(g.read("chi2", &shape), chi2);
    EXPECT_EQ(shape, (std::vector<std::size_t>{2, 3}));
    EXPECT_EQ(g.read("sin2_2theta", &shape), p0);
    EXPECT_EQ(shape, std::vector<std::size_t>{3});
    EXPECT_EQ(g.read("contour"), (std::vector<double>{0.0, 1.0}));
    EXPECT_EQ(g.read("contour_length"), (std::vector<double>{4.0, 7.0}));
    EXPECT_EQ(g.dataset_attr_string("chi2", "units"), "1");
    EXPECT_EQ(g.dataset_attr_string("chi2", "long_name"), "chi-square");
    EXPECT_EQ(g.dataset_attr_string("dm2_eV2", "units"), "eV^2");
    EXPECT_EQ(g.dataset_attr_string("dm2_eV2", "scale"), "log");
    EXPECT_EQ(g.dataset_attr_string("contour", "units"), "1");
    EXPECT_EQ(g.dataset_attr_string("contour", "long_name"), "contour index");
  }
  RawFile raw(path);
  const RawDataset chi2_set(raw, "/scan/det/ideal/chi2");
  const RawDataset x(raw, "/scan/det/ideal/sin2_2theta");
  const RawDataset y(raw, "/scan/det/ideal/dm2_eV2");
  const RawDataset contour(raw, "/scan/det/ideal/contour");
  const RawDataset length(raw, "/scan/det/ideal/contour_length");
  // Each coordinate is its own scale, named after itself; chi2 is not a scale.
  EXPECT_GT(H5DSis_scale(x.id()), 0);
  EXPECT_GT(H5DSis_scale(contour.id()), 0);
  EXPECT_EQ(H5DSis_scale(chi2_set.id()), 0);
  EXPECT_EQ(scale_name(x), "sin2_2theta");
  EXPECT_EQ(scale_name(y), "dm2_eV2");
  EXPECT_EQ(scale_name(contour), "contour");
  // Scales attached in the order of the dims.
  EXPECT_GT(H5DSis_attached(chi2_set.id(), y.id(), 0), 0);
  EXPECT_GT(H5DSis_attached(chi2_set.id(), x.id(), 1), 0);
  EXPECT_EQ(H5DSis_attached(chi2_set.id(), x.id(), 0), 0);
  EXPECT_EQ(H5DSget_num_scales(chi2_set.id(), 0), 1);
  EXPECT_EQ(H5DSget_num_scales(chi2_set.id(), 1), 1);
  EXPECT_GT(H5DSis_attached(length.id(), contour.id(), 0), 0);
  // Stored as int64, the index coordinate included.
  const hid_t type = H5Dget_type(contour.id());
  EXPECT_GT(H5Tequal(type, H5T_STD_I64LE), 0);
  H5Tclose(type);
}

TEST(H5Group, ZeroLengthDimensionsWork) {
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  {
    File file = File::create(path);
    Group g = file.root().group("s");
    g.index_coordinate("interval", 0, "interval index");
    g.index_coordinate("bound", 2, "0 lower, 1 upper");
    g.coordinate("empty_axis", {}, "1", "an axis with no points");
    g.variable("intervals", {"interval", "bound"}, {}, "1", "interval bounds");
    g.variable_int("interval_open", {"interval", "bound"}, {}, "1", "open bound");
    g.create_variable("chi2", {"interval", "bound"}, "1", "chi-square");
    g.write_rows("chi2", 0, 0, nullptr);
    file.commit();
  }
  File file = File::open_read(path);
  const Group g = file.root().group("s");
  std::vector<std::size_t> shape;
  EXPECT_TRUE(g.read("intervals", &shape).empty());
  EXPECT_EQ(shape, (std::vector<std::size_t>{0, 2}));
  EXPECT_TRUE(g.read("chi2", &shape).empty());
  EXPECT_EQ(shape, (std::vector<std::size_t>{0, 2}));
  EXPECT_TRUE(g.read("interval").empty());
  EXPECT_TRUE(g.read("empty_axis").empty());
  RawFile raw(path);
  const RawDataset intervals(raw, "/s/intervals");
  const RawDataset interval(raw, "/s/interval");
  EXPECT_GT(H5DSis_attached(intervals.id(), interval.id(), 0), 0);
}

TEST(H5Group, CreateVariableWriteRowsInBlocksLeavesUnwrittenRowsNaN) {
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  const std::size_t n1 = 10, n0 = 7;
  std::vector<double> p0(n0), p1(n1);
  for (std::size_t i = 0; i < n0; ++i) p0[i] = 0.1 * static_cast<double>(i);
  for (std::size_t j = 0; j < n1; ++j) p1[j] = static_cast<double>(j);
  auto value = [](std::size_t j, std::size_t i) { return 100.0 * j + i; };
  {
    File file = File::create(path);
    Group g = file.root().group("s");
    g.coordinate("p0", p0, "1", "p0");
    g.coordinate("p1", p1, "1", "p1");
    g.create_variable("chi2", {"p1", "p0"}, "1", "chi-square");
    // Blocks of rows 0–2 and 5–6; rows 3, 4 and 7–9 never written.
    for (const auto& [first, count] :
         std::vector<std::pair<std::size_t, std::size_t>>{{0, 3}, {5, 2}}) {
      std::vector<double> block;
      for (std::size_t j = first; j < first + count; ++j)
        for (std::size_t i = 0; i < n0; ++i) block.push_back(value(j, i));
      g.write_rows("chi2", first, count, block.data());
      g.flush();
    }
    // Rewriting a row replaces it.
    std::vector<double> row(n0, -1.0);
    g.write_rows("chi2", 6, 1, row.data());
    file.commit();
  }
  File file = File::open_read(path);
  std::vector<std::size_t> shape;
  const std::vector<double> chi2 = file.root().group("s").read("chi2", &shape);
  ASSERT_EQ(shape, (std::vector<std::size_t>{n1, n0}));
  for (std::size_t j = 0; j < n1; ++j) {
    for (std::size_t i = 0; i < n0; ++i) {
      const double got = chi2[j * n0 + i];
      if (j < 3 || j == 5)
        EXPECT_EQ(got, value(j, i)) << j << "," << i;
      else if (j == 6)
        EXPECT_EQ(got, -1.0) << j << "," << i;
      else
        EXPECT_TRUE(std::isnan(got)) << j << "," << i << ": " << got;
    }
  }
  RawFile raw(path);
  const RawDataset set(raw, "/s/chi2");
  EXPECT_GT(H5DSis_attached(set.id(), RawDataset(raw, "/s/p1").id(), 0), 0);
  EXPECT_GT(H5DSis_attached(set.id(), RawDataset(raw, "/s/p0").id(), 1), 0);
}

TEST(H5Group, CreateVariableChunksHoldWholeRowsOfTheLastDimension) {
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  {
    File file = File::create(path);
    Group g = file.root();
    g.coordinate("p0", std::vector<double>(3000, 0.0), "1", "p0");
    g.coordinate("p1", std::vector<double>(400, 0.0), "1", "p1");
    g.coordinate("small", {1.0, 2.0}, "1", "small");
    g.create_variable("big", {"p1", "p0"}, "1", "9.6 MB of doubles");
    g.create_variable("tiny", {"small"}, "1", "two doubles");
    file.commit();
  }
  RawFile raw(path);
  for (const auto& [name, last] :
       std::vector<std::pair<std::string, hsize_t>>{{"big", 3000}, {"tiny", 2}}) {
    const RawDataset set(raw, name);
    const hid_t plist = H5Dget_create_plist(set.id());
    ASSERT_EQ(H5Pget_layout(plist), H5D_CHUNKED) << name;
    hsize_t chunk[2] = {0, 0};
    const int rank = H5Pget_chunk(plist, 2, chunk);
    double fill = 0.0;
    H5Pget_fill_value(plist, H5T_NATIVE_DOUBLE, &fill);
    H5Pclose(plist);
    EXPECT_TRUE(std::isnan(fill)) << name;
    EXPECT_EQ(chunk[rank - 1], last) << name;
    hsize_t elements = 1;
    for (int k = 0; k < rank; ++k) elements *= chunk[k];
    EXPECT_LE(elements * sizeof(double), hsize_t{4} << 20) << name;
    if (rank == 2) {
      EXPECT_GT(chunk[0], 1u) << "several rows per chunk";
    }
  }
}

TEST(H5Group, ReleasesEveryHdf5Identifier) {
  // Identifiers leaked inside a file would be swept up by its strong close, so count the open
  // groups, datasets and attributes while the file is still open.
  auto open_ids = [] { return H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL); };
  ScratchDir dir;
  File file = File::create(dir.file("out.h5"));
  Group root = file.root();
  const ssize_t before = open_ids();
  EXPECT_EQ(before, 2) << "the file and its root group";
  {
    Group g = root.group("a/b");
    g.set_attr("s", "text");
    g.set_attr("d", 1.0);
    g.set_attr("v", std::vector<double>{1.0, 2.0});
    g.coordinate("x", {1.0, 2.0}, "1", "x");
    g.index_coordinate("i", 3, "i");
    g.variable("v", {"i", "x"}, std::vector<double>(6, 1.0), "1", "v");
    g.variable_int("w", {"x"}, {1, 2}, "1", "w");
    g.create_variable("c", {"i", "x"}, "1", "c");
    const double rows[] = {1.0, 2.0, 3.0, 4.0};
    g.write_rows("c", 1, 2, rows);
    g.set_dataset_attr("c", "note", "n");
    (void)g.read("c");
    (void)g.read("w");
    (void)g.attr_string("s");
    (void)g.attr_doubles("v");
    (void)g.dataset_attr_string("c", "note");
    (void)g.children();
    (void)root.has("a/b/c");
    (void)root.is_group("a/b");
    EXPECT_THROW(g.variable("bad", {"i"}, {1.0}, "1", "wrong length"), std::invalid_argument);
    EXPECT_THROW(g.attr_double("s"), std::runtime_error);
  }
  EXPECT_EQ(open_ids(), before);
}

TEST(H5Group, MisuseThrowsInvalidArgument) {
  ScratchDir dir;
  File file = File::create(dir.file("out.h5"));
  Group g = file.root();
  g.coordinate("x", {1.0, 2.0, 3.0}, "1", "x");
  g.variable("not_a_scale", {"x"}, {1.0, 2.0, 3.0}, "1", "y");
  EXPECT_THROW(g.variable("v", {"x"}, {1.0, 2.0}, "1", "too short"), std::invalid_argument);
  EXPECT_THROW(g.variable("v", {"x"}, {}, "1", "no data"), std::invalid_argument);
  EXPECT_THROW(g.variable_int("v", {"x"}, {1, 2, 3, 4}, "1", "too long"), std::invalid_argument);
  EXPECT_THROW(g.variable("v", {"missing"}, {1.0}, "1", "no such dim"), std::invalid_argument);
  EXPECT_THROW(g.variable("v", {"not_a_scale"}, {1.0, 2.0, 3.0}, "1", "dim is a plain variable"),
               std::invalid_argument);
  EXPECT_THROW(g.coordinate("x", {1.0}, "1", "again"), std::invalid_argument);
  g.create_variable("c", {"x"}, "1", "c");
  const double row[] = {1.0, 2.0};
  EXPECT_THROW(g.write_rows("c", 2, 2, row), std::invalid_argument);
  EXPECT_THROW(g.write_rows("c", 4, 0, row), std::invalid_argument);
  EXPECT_THROW(g.write_rows("absent", 0, 1, row), std::runtime_error);
  EXPECT_THROW(g.read("absent"), std::runtime_error);
  // Nothing half-made is left behind by the rejected calls.
  EXPECT_EQ(g.children(), (std::vector<std::string>{"x", "not_a_scale", "c"}));
}

}  // namespace
}  // namespace cevns::h5
