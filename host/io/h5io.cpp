#include "host/io/h5io.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <utility>

#include "host/core/error.hpp"
#include "host/io/output_path.hpp"

namespace cevns::h5 {

static_assert(std::is_same_v<hid_t, std::int64_t>, "h5io.hpp passes hid_t around as std::int64_t");

namespace detail {

struct FileState {
  hid_t id = H5I_INVALID_HID;
  std::string path;       // where the file ends up
  std::string temp_path;  // where it is written until commit(); empty once renamed or for open_*

  bool open() const { return id >= 0; }
  // Files are opened with H5F_CLOSE_STRONG, so this also closes every object still open in it.
  void close() noexcept {
    if (id >= 0) H5Fclose(id);
    id = H5I_INVALID_HID;
  }
};

struct GroupHandle {
  std::shared_ptr<FileState> file;
  hid_t id;
  GroupHandle(std::shared_ptr<FileState> f, hid_t i) : file(std::move(f)), id(i) {}
  GroupHandle(const GroupHandle&) = delete;
  GroupHandle& operator=(const GroupHandle&) = delete;
  // After the file closed, `id` is already closed and may not be passed to HDF5 again.
  ~GroupHandle() {
    if (file->open()) H5Gclose(id);
  }
};

}  // namespace detail

namespace {

// 1 MiB of doubles: a chunk of that size still fits HDF5's default 1 MiB chunk cache, so writing
// a block of rows into part of a chunk does not bypass the cache.
constexpr hsize_t kChunkDoubles = hsize_t{1} << 17;

// Failures become exceptions carrying HDF5's reason; the printed stack would only repeat it.
void silence_hdf5_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

herr_t keep_innermost(unsigned, const H5E_error2_t* err, void* data) {
  if (err->desc != nullptr && err->desc[0] != '\0') *static_cast<std::string*>(data) = err->desc;
  return 0;
}

// The innermost message of HDF5's error stack is the most specific one (for a failed open, the
// one that carries the errno text); the outer ones only say which API call gave up.
std::string hdf5_reason() {
  std::string reason;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, keep_innermost, &reason);
  H5Eclear2(H5E_DEFAULT);
  return reason.empty() ? std::string("unknown HDF5 error") : reason;
}

// A write that the system refused (HDF5 reports "errno = N" in its innermost message) is the
// machine's failure, not the program's: reported as such, with the system's words.
[[noreturn]] void fail(const std::string& what) {
  const std::string reason = hdf5_reason();
  const auto at = reason.find("errno = ");
  if (at != std::string::npos) {
    const int code = std::atoi(reason.c_str() + at + 8);
    if (code == ENOSPC || code == EFBIG || code == EDQUOT || code == EIO)
      throw SystemError(
          what + " failed: " + std::strerror(code) +
          (code == EIO ? "" : " (the disk is full or a file-size limit was reached)"));
  }
  throw std::runtime_error("HDF5: " + what + " failed (" + reason + ")");
}

template <typename T>
T check(T status, const std::string& what) {
  if (status < 0) fail(what);
  return status;
}

// Owns one HDF5 identifier and closes it with the matching H5?close.
class Id {
 public:
  using Closer = herr_t (*)(hid_t);
  Id(hid_t id, Closer close, const std::string& what) : id_(check(id, what)), close_(close) {}
  Id(Id&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(other.close_) {}
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  Id& operator=(Id&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      close_ = other.close_;
    }
    return *this;
  }
  ~Id() { reset(); }
  operator hid_t() const { return id_; }
  hid_t release() { return std::exchange(id_, H5I_INVALID_HID); }

 private:
  void reset() noexcept {
    if (id_ >= 0) close_(id_);
    id_ = H5I_INVALID_HID;
  }

  hid_t id_;
  Closer close_;
};

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string join_path(const std::string& group, const std::string& name) {
  return group == "/" ? "/" + name : group + "/" + name;
}

std::vector<std::string> split_path(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.back() == '/' ||
      path.find("//") != std::string::npos)
    throw std::invalid_argument("h5: " + quoted(path) + " is not a relative HDF5 path");
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t slash; (slash = path.find('/', start)) != std::string::npos; start = slash + 1)
    parts.push_back(path.substr(start, slash - start));
  parts.push_back(path.substr(start));
  return parts;
}

Id utf8_string_type() {
  Id type(H5Tcopy(H5T_C_S1), H5Tclose, "copying the string type");
  check(H5Tset_size(type, H5T_VARIABLE), "making a variable-length string type");
  check(H5Tset_cset(type, H5T_CSET_UTF8), "setting the UTF-8 character set");
  return type;
}

Id scalar_space() { return Id(H5Screate(H5S_SCALAR), H5Sclose, "creating a scalar dataspace"); }

Id simple_space(const std::vector<hsize_t>& shape) {
  if (shape.empty()) return scalar_space();
  return Id(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), H5Sclose,
            "creating a dataspace");
}

std::vector<hsize_t> space_shape(hid_t space, const std::string& what) {
  const int rank = check(H5Sget_simple_extent_ndims(space), "reading the rank of " + what);
  std::vector<hsize_t> shape(static_cast<std::size_t>(rank));
  if (rank > 0) check(H5Sget_simple_extent_dims(space, shape.data(), nullptr), "reading " + what);
  return shape;
}

hsize_t element_count(const std::vector<hsize_t>& shape) {
  hsize_t n = 1;
  for (hsize_t d : shape) n *= d;
  return n;
}

bool link_exists(hid_t loc, const std::string& relative_path) {
  // H5Lexists needs every intermediate link to exist, so walk the path one component at a time.
  std::string prefix;
  for (const std::string& part : split_path(relative_path)) {
    prefix += prefix.empty() ? part : "/" + part;
    if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) {
      H5Eclear2(H5E_DEFAULT);  // an intermediate that is a dataset fails rather than answering 0
      return false;
    }
  }
  return true;
}

H5I_type_t object_type(hid_t loc, const std::string& name, const std::string& where) {
  Id obj(H5Oopen(loc, name.c_str(), H5P_DEFAULT), H5Oclose, "opening " + quoted(where));
  return H5Iget_type(obj);
}

Id open_object(hid_t loc, const std::string& name, const std::string& where) {
  if (!link_exists(loc, name)) throw std::runtime_error("HDF5: no object " + quoted(where));
  return Id(H5Oopen(loc, name.c_str(), H5P_DEFAULT), H5Oclose, "opening " + quoted(where));
}

Id open_dataset(hid_t loc, const std::string& name, const std::string& where) {
  if (!link_exists(loc, name)) throw std::runtime_error("HDF5: no dataset " + quoted(where));
  return Id(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), H5Dclose, "opening dataset " + quoted(where));
}

// --- attributes, on any object -----------------------------------------------------------------

void write_attr(hid_t obj, const std::string& where, const std::string& name, hid_t file_type,
                hid_t mem_type, hid_t space, const void* buf) {
  const std::string what = "attribute " + quoted(name) + " of " + quoted(where);
  if (check(H5Aexists(obj, name.c_str()), "looking up " + what) > 0)
    check(H5Adelete(obj, name.c_str()), "replacing " + what);
  Id attr(H5Acreate2(obj, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
          "creating " + what);
  check(H5Awrite(attr, mem_type, buf), "writing " + what);
}

void write_string_attr(hid_t obj, const std::string& where, const std::string& name,
                       const std::string& value) {
  const Id type = utf8_string_type();
  const char* text = value.c_str();
  write_attr(obj, where, name, type, type, scalar_space(), &text);
}

Id open_attr(hid_t obj, const std::string& where, const std::string& name) {
  const std::string what = "attribute " + quoted(name) + " of " + quoted(where);
  if (check(H5Aexists(obj, name.c_str()), "looking up " + what) == 0)
    throw std::runtime_error("HDF5: no " + what);
  return Id(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, "opening " + what);
}

std::string read_string_attr(hid_t obj, const std::string& where, const std::string& name) {
  const std::string what = "attribute " + quoted(name) + " of " + quoted(where);
  const Id attr = open_attr(obj, where, name);
  const Id type(H5Aget_type(attr), H5Tclose, "reading the type of " + what);
  const Id space(H5Aget_space(attr), H5Sclose, "reading the dataspace of " + what);
  if (H5Tget_class(type) != H5T_STRING || H5Sget_simple_extent_npoints(space) != 1)
    throw std::runtime_error("HDF5: " + what + " is not a single string");
  // Reading with the stored type itself: HDF5 does not convert between character sets.
  const Id mem_type(H5Tcopy(type), H5Tclose, "copying the type of " + what);
  if (check(H5Tis_variable_str(type), "inspecting " + what) > 0) {
    char* text = nullptr;
    check(H5Aread(attr, mem_type, &text), "reading " + what);
    std::string value = text != nullptr ? text : "";
    H5free_memory(text);
    return value;
  }
  // Fixed-length strings (as netCDF-C writes them) are padded with NULs or spaces.
  std::string value(H5Tget_size(type), '\0');
  check(H5Aread(attr, mem_type, value.data()), "reading " + what);
  value.resize(std::strlen(value.c_str()));
  if (H5Tget_strpad(type) == H5T_STR_SPACEPAD) value.erase(value.find_last_not_of(' ') + 1);
  return value;
}

// Every element of a numeric attribute, converted by HDF5 into `mem_type`.
template <typename T>
std::vector<T> read_numeric_attr(hid_t obj, const std::string& where, const std::string& name,
                                 hid_t mem_type) {
  const std::string what = "attribute " + quoted(name) + " of " + quoted(where);
  const Id attr = open_attr(obj, where, name);
  const Id type(H5Aget_type(attr), H5Tclose, "reading the type of " + what);
  const H5T_class_t cls = H5Tget_class(type);
  if (cls != H5T_INTEGER && cls != H5T_FLOAT)
    throw std::runtime_error("HDF5: " + what + " is not numeric");
  const Id space(H5Aget_space(attr), H5Sclose, "reading the dataspace of " + what);
  const hssize_t n = check(H5Sget_simple_extent_npoints(space), "sizing " + what);
  std::vector<T> values(static_cast<std::size_t>(n));
  if (n > 0) check(H5Aread(attr, mem_type, values.data()), "reading " + what);
  return values;
}

template <typename T>
T read_scalar_attr(hid_t obj, const std::string& where, const std::string& name, hid_t mem_type) {
  const std::vector<T> values = read_numeric_attr<T>(obj, where, name, mem_type);
  if (values.size() != 1)
    throw std::runtime_error("HDF5: attribute " + quoted(name) + " of " + quoted(where) +
                             " holds " + std::to_string(values.size()) + " values, not one");
  return values.front();
}

// --- datasets ------------------------------------------------------------------------------------

struct Dimension {
  Id scale;
  hsize_t length;
};

// The coordinate variables a new variable's dimensions refer to, in order.
std::vector<Dimension> find_dimensions(hid_t group, const std::string& group_path,
                                       const std::string& variable,
                                       const std::vector<std::string>& dims) {
  std::vector<Dimension> found;
  for (const std::string& dim : dims) {
    const std::string where = join_path(group_path, dim);
    if (dim.find('/') != std::string::npos || !link_exists(group, dim) ||
        object_type(group, dim, where) != H5I_DATASET)
      throw std::invalid_argument("h5: dimension " + quoted(dim) + " of " +
                                  quoted(join_path(group_path, variable)) +
                                  " is not a coordinate variable of " + quoted(group_path));
    Id scale = open_dataset(group, dim, where);
    const Id space(H5Dget_space(scale), H5Sclose, "reading the dataspace of " + quoted(where));
    const std::vector<hsize_t> shape = space_shape(space, quoted(where));
    if (check(H5DSis_scale(scale), "inspecting " + quoted(where)) <= 0 || shape.size() != 1)
      throw std::invalid_argument("h5: dimension " + quoted(dim) + " of " +
                                  quoted(join_path(group_path, variable)) +
                                  " is not a coordinate variable of " + quoted(group_path));
    found.push_back({std::move(scale), shape[0]});
  }
  return found;
}

struct NewDataset {
  hid_t file_type;
  hid_t mem_type;
  const void* data;
  std::size_t data_length;     // elements in `data`
  bool written_later = false;  // no data now: create_variable's rows come from write_rows
  hid_t create_plist = H5P_DEFAULT;
};

// Creates, writes and labels one dataset (its dimension scales are attached by the caller).
Id create_dataset(hid_t group, const std::string& group_path, const std::string& name,
                  const std::vector<hsize_t>& shape, const NewDataset& spec,
                  const std::string& units, const std::string& long_name) {
  const std::string where = join_path(group_path, name);
  if (name.empty() || name.find('/') != std::string::npos)
    throw std::invalid_argument("h5: " + quoted(name) + " is not a dataset name");
  if (link_exists(group, name))
    throw std::invalid_argument("h5: " + quoted(where) + " already exists");
  if (!spec.written_later && spec.data_length != element_count(shape))
    throw std::invalid_argument("h5: " + quoted(where) + " needs " +
                                std::to_string(element_count(shape)) + " values, got " +
                                std::to_string(spec.data_length));
  const Id space = simple_space(shape);
  Id dataset(H5Dcreate2(group, name.c_str(), spec.file_type, space, H5P_DEFAULT, spec.create_plist,
                        H5P_DEFAULT),
             H5Dclose, "creating dataset " + quoted(where));
  // A zero-length dataset has nothing to write (and std::vector::data() may be null).
  if (!spec.written_later && spec.data_length > 0)
    check(H5Dwrite(dataset, spec.mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, spec.data),
          "writing dataset " + quoted(where));
  write_string_attr(dataset, where, "units", units);
  write_string_attr(dataset, where, "long_name", long_name);
  return dataset;
}

void attach_dimensions(hid_t dataset, const std::string& where,
                       const std::vector<Dimension>& dims) {
  for (std::size_t i = 0; i < dims.size(); ++i)
    check(H5DSattach_scale(dataset, dims[i].scale, static_cast<unsigned>(i)),
          "attaching dimension " + std::to_string(i) + " to " + quoted(where));
}

std::vector<hsize_t> lengths(const std::vector<Dimension>& dims) {
  std::vector<hsize_t> shape;
  for (const Dimension& d : dims) shape.push_back(d.length);
  return shape;
}

Id group_create_plist() {
  // Links in creation order, as netCDF-4 does, so children() and xarray list variables in the
  // order they were written.
  Id plist(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, "creating a group property list");
  check(H5Pset_link_creation_order(plist, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        "tracking link creation order");
  return plist;
}

Id file_access_plist(bool new_file) {
  Id plist(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "creating a file access property list");
  // Closing the file closes every object still open in it, so commit() can rename a complete,
  // closed file even while Group handles are alive.
  check(H5Pset_fclose_degree(plist, H5F_CLOSE_STRONG), "setting the file close degree");
  // The 1.8 object-header format stores large attributes densely (a long config_json or a long
  // best_fit vector); files stay readable by every HDF5 since 1.8 and by netCDF-4.
  if (new_file)
    check(H5Pset_libver_bounds(plist, H5F_LIBVER_V18, H5F_LIBVER_V18),
          "setting the file format version");
  return plist;
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

// --- Group ---------------------------------------------------------------------------------------

Group::Group(std::shared_ptr<detail::GroupHandle> handle, std::string path)
    : handle_(std::move(handle)), path_(std::move(path)) {}

const std::string& Group::path() const { return path_; }

std::int64_t Group::id() const {
  if (!handle_->file->open())
    throw std::runtime_error("HDF5: group " + quoted(path_) + " of " + quoted(handle_->file->path) +
                             " used after the file was closed");
  return handle_->id;
}

Group Group::group(const std::string& name) {
  const hid_t self = id();
  const Id plist = group_create_plist();
  std::string path = path_;
  Id current(H5Oopen(self, ".", H5P_DEFAULT), H5Oclose, "reopening group " + quoted(path_));
  for (const std::string& part : split_path(name)) {
    path = join_path(path, part);
    const bool exists =
        check(H5Lexists(current, part.c_str(), H5P_DEFAULT), "looking up " + quoted(path)) > 0;
    if (exists && object_type(current, part, path) != H5I_GROUP)
      throw std::invalid_argument("h5: " + quoted(path) + " exists and is not a group");
    const hid_t next = exists ? H5Gopen2(current, part.c_str(), H5P_DEFAULT)
                              : H5Gcreate2(current, part.c_str(), H5P_DEFAULT, plist, H5P_DEFAULT);
    // H5Oclose releases group identifiers as well as H5Gclose does.
    current = Id(next, H5Oclose, (exists ? "opening group " : "creating group ") + quoted(path));
  }
  return Group(std::make_shared<detail::GroupHandle>(handle_->file, current.release()), path);
}

bool Group::has(const std::string& name) const { return link_exists(id(), name); }

namespace {
herr_t collect_link_name(hid_t, const char* name, const H5L_info_t*, void* names) {
  static_cast<std::vector<std::string>*>(names)->push_back(name);
  return 0;
}
}  // namespace

std::vector<std::string> Group::children() const {
  const hid_t self = id();
  // Creation order where the group indexes it (every group this library makes), else by name.
  const Id plist(H5Gget_create_plist(self), H5Pclose, "reading the properties of " + quoted(path_));
  unsigned order_flags = 0;
  check(H5Pget_link_creation_order(plist, &order_flags),
        "reading the link order of " + quoted(path_));
  const H5_index_t index =
      (order_flags & H5P_CRT_ORDER_INDEXED) != 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
  std::vector<std::string> links;
  check(H5Literate(self, index, H5_ITER_INC, nullptr, collect_link_name, &links),
        "listing group " + quoted(path_));
  std::vector<std::string> children;
  for (const std::string& name : links) {
    // Soft or external links that lead nowhere are not children.
    if (H5Oexists_by_name(self, name.c_str(), H5P_DEFAULT) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      continue;
    }
    const H5I_type_t type = object_type(self, name, join_path(path_, name));
    if (type == H5I_GROUP || type == H5I_DATASET) children.push_back(name);
  }
  return children;
}

bool Group::is_group(const std::string& name) const {
  const hid_t self = id();
  return link_exists(self, name) && object_type(self, name, join_path(path_, name)) == H5I_GROUP;
}

// --- group attributes ----------------------------------------------------------------------------

void Group::set_attr(const std::string& name, const std::string& value) {
  write_string_attr(id(), path_, name, value);
}

void Group::set_attr(const std::string& name, double value) {
  write_attr(id(), path_, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, scalar_space(), &value);
}

void Group::set_attr(const std::string& name, long long value) {
  write_attr(id(), path_, name, H5T_STD_I64LE, H5T_NATIVE_LLONG, scalar_space(), &value);
}

void Group::set_attr(const std::string& name, const std::vector<double>& values) {
  // H5Awrite rejects a null buffer even with nothing to write, which an empty vector may give.
  const double none = 0.0;
  write_attr(id(), path_, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
             simple_space({static_cast<hsize_t>(values.size())}),
             values.empty() ? &none : values.data());
}

bool Group::has_attr(const std::string& name) const {
  return check(H5Aexists(id(), name.c_str()),
               "looking up attribute " + quoted(name) + " of " + quoted(path_)) > 0;
}

std::string Group::attr_string(const std::string& name) const {
  return read_string_attr(id(), path_, name);
}

double Group::attr_double(const std::string& name) const {
  return read_scalar_attr<double>(id(), path_, name, H5T_NATIVE_DOUBLE);
}

long long Group::attr_int(const std::string& name) const {
  return read_scalar_attr<long long>(id(), path_, name, H5T_NATIVE_LLONG);
}

std::vector<double> Group::attr_doubles(const std::string& name) const {
  return read_numeric_attr<double>(id(), path_, name, H5T_NATIVE_DOUBLE);
}

// --- datasets ------------------------------------------------------------------------------------

void Group::coordinate(const std::string& name, const std::vector<double>& values,
                       const std::string& units, const std::string& long_name) {
  const Id dataset = create_dataset(
      id(), path_, name, {static_cast<hsize_t>(values.size())},
      {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.data(), values.size()}, units, long_name);
  check(H5DSset_scale(dataset, name.c_str()),
        "making " + quoted(join_path(path_, name)) + " a dimension scale");
}

void Group::index_coordinate(const std::string& name, std::size_t n, const std::string& long_name) {
  std::vector<long long> index(n);
  for (std::size_t i = 0; i < n; ++i) index[i] = static_cast<long long>(i);
  const Id dataset =
      create_dataset(id(), path_, name, {static_cast<hsize_t>(n)},
                     {H5T_STD_I64LE, H5T_NATIVE_LLONG, index.data(), n}, "1", long_name);
  check(H5DSset_scale(dataset, name.c_str()),
        "making " + quoted(join_path(path_, name)) + " a dimension scale");
}

namespace {

// The variable `name` of the group at `group_path` on its coordinate variables `dims`: created,
// labelled and given its dimension scales. With spec.written_later its rows come later from
// write_rows / write_int_rows (checkpointed scans); it then reads as `*fill` until written.
void create_variable_on(hid_t group, const std::string& group_path, const std::string& name,
                        const std::vector<std::string>& dims, NewDataset spec,
                        const std::string& units, const std::string& long_name,
                        const void* fill = nullptr) {
  const std::string where = join_path(group_path, name);
  const std::vector<Dimension> found = find_dimensions(group, group_path, name, dims);
  const std::vector<hsize_t> shape = lengths(found);
  std::optional<Id> plist;
  if (spec.written_later) {
    plist.emplace(H5Pcreate(H5P_DATASET_CREATE), H5Pclose,
                  "creating properties of " + quoted(where));
    check(H5Pset_fill_value(*plist, spec.mem_type, fill),
          "setting the fill value of " + quoted(where));
    // Chunks must not exceed fixed dimension lengths, so a dataset with no elements stays
    // contiguous. Otherwise chunks hold whole rows of the last dimension (as many trailing
    // dimensions as fit kChunkDoubles), and a block of first-dimension rows touches few chunks.
    if (!shape.empty() && element_count(shape) > 0) {
      std::vector<hsize_t> chunk(shape.size());
      hsize_t inner = 1;
      for (std::size_t k = shape.size(); k-- > 0;) {
        chunk[k] = std::max<hsize_t>(1, std::min(shape[k], kChunkDoubles / inner));
        inner *= chunk[k];
      }
      check(H5Pset_chunk(*plist, static_cast<int>(chunk.size()), chunk.data()),
            "setting the chunks of " + quoted(where));
    }
    spec.create_plist = *plist;
  }
  const Id dataset = create_dataset(group, group_path, name, shape, spec, units, long_name);
  attach_dimensions(dataset, where, found);
}

// The dataset's rows [first_row, first_row + n_rows) of the first dimension selected in
// `file_space`; returns the memory shape of the selection (empty when there is nothing to move).
std::vector<hsize_t> select_rows(hid_t file_space, const std::string& where, std::size_t first_row,
                                 std::size_t n_rows) {
  const std::vector<hsize_t> shape = space_shape(file_space, quoted(where));
  if (shape.empty())
    throw std::invalid_argument("h5: " + quoted(where) + " is a scalar and has no rows");
  if (first_row > shape[0] || n_rows > shape[0] - first_row)
    throw std::invalid_argument("h5: rows " + std::to_string(first_row) + " to " +
                                std::to_string(first_row + n_rows) + " are outside " +
                                quoted(where) + " (" + std::to_string(shape[0]) + " rows)");
  std::vector<hsize_t> start(shape.size(), 0), count = shape;
  start[0] = first_row;
  count[0] = n_rows;
  if (element_count(count) == 0) return {};
  check(
      H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
      "selecting rows of " + quoted(where));
  return count;
}

// Rows [first_row, first_row + n_rows) of the first dimension of dataset `name` of the group at
// `group_path`, written from row-major `data` of `mem_type`.
void write_row_block(hid_t group, const std::string& group_path, const std::string& name,
                     std::size_t first_row, std::size_t n_rows, hid_t mem_type, const void* data) {
  const std::string where = join_path(group_path, name);
  const Id dataset = open_dataset(group, name, where);
  const Id file_space(H5Dget_space(dataset), H5Sclose, "reading the dataspace of " + quoted(where));
  const std::vector<hsize_t> count = select_rows(file_space, where, first_row, n_rows);
  if (count.empty()) return;
  if (data == nullptr) throw std::invalid_argument("h5: no data for rows of " + quoted(where));
  const Id mem_space = simple_space(count);
  check(H5Dwrite(dataset, mem_type, mem_space, file_space, H5P_DEFAULT, data),
        "writing rows of " + quoted(where));
}

// The dataset `name` (at `where`), refused unless its values are numbers (read as double).
Id open_numeric_dataset(hid_t group, const std::string& name, const std::string& where) {
  Id dataset = open_dataset(group, name, where);
  const Id type(H5Dget_type(dataset), H5Tclose, "reading the type of " + quoted(where));
  const H5T_class_t cls = H5Tget_class(type);
  if (cls != H5T_INTEGER && cls != H5T_FLOAT)
    throw std::runtime_error("HDF5: dataset " + quoted(where) + " is not numeric");
  return dataset;
}

}  // namespace

void Group::variable(const std::string& name, const std::vector<std::string>& dims,
                     const std::vector<double>& data, const std::string& units,
                     const std::string& long_name) {
  create_variable_on(id(), path_, name, dims,
                     {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, data.data(), data.size()}, units,
                     long_name);
}

void Group::variable_int(const std::string& name, const std::vector<std::string>& dims,
                         const std::vector<long long>& data, const std::string& units,
                         const std::string& long_name) {
  create_variable_on(id(), path_, name, dims,
                     {H5T_STD_I64LE, H5T_NATIVE_LLONG, data.data(), data.size()}, units, long_name);
}

void Group::create_variable(const std::string& name, const std::vector<std::string>& dims,
                            const std::string& units, const std::string& long_name) {
  // NaN marks grid points a checkpointed scan has not reached yet.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  create_variable_on(id(), path_, name, dims, {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, nullptr, 0, true},
                     units, long_name, &nan);
}

void Group::write_rows(const std::string& name, std::size_t first_row, std::size_t n_rows,
                       const double* data) {
  write_row_block(id(), path_, name, first_row, n_rows, H5T_NATIVE_DOUBLE, data);
}

void Group::create_int_variable(const std::string& name, const std::vector<std::string>& dims,
                                const std::string& units, const std::string& long_name,
                                long long fill) {
  create_variable_on(id(), path_, name, dims, {H5T_STD_I64LE, H5T_NATIVE_LLONG, nullptr, 0, true},
                     units, long_name, &fill);
}

void Group::write_int_rows(const std::string& name, std::size_t first_row, std::size_t n_rows,
                           const long long* data) {
  write_row_block(id(), path_, name, first_row, n_rows, H5T_NATIVE_LLONG, data);
}

std::vector<std::size_t> Group::dataset_shape(const std::string& name) const {
  const std::string where = join_path(path_, name);
  const Id dataset = open_dataset(id(), name, where);
  const Id space(H5Dget_space(dataset), H5Sclose, "reading the dataspace of " + quoted(where));
  const std::vector<hsize_t> dims = space_shape(space, quoted(where));
  return std::vector<std::size_t>(dims.begin(), dims.end());
}

void Group::read_rows(const std::string& name, std::size_t first_row, std::size_t n_rows,
                      double* out) const {
  const std::string where = join_path(path_, name);
  const Id dataset = open_numeric_dataset(id(), name, where);
  const Id file_space(H5Dget_space(dataset), H5Sclose, "reading the dataspace of " + quoted(where));
  const std::vector<hsize_t> count = select_rows(file_space, where, first_row, n_rows);
  if (count.empty()) return;
  const Id mem_space = simple_space(count);
  check(H5Dread(dataset, H5T_NATIVE_DOUBLE, mem_space, file_space, H5P_DEFAULT, out),
        "reading rows of " + quoted(where));
}

std::vector<double> Group::read(const std::string& name, std::vector<std::size_t>* shape) const {
  const std::string where = join_path(path_, name);
  const Id dataset = open_numeric_dataset(id(), name, where);
  const Id space(H5Dget_space(dataset), H5Sclose, "reading the dataspace of " + quoted(where));
  const std::vector<hsize_t> dims = space_shape(space, quoted(where));
  std::vector<double> values(static_cast<std::size_t>(element_count(dims)));
  if (!values.empty())
    check(H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "reading dataset " + quoted(where));
  if (shape != nullptr) shape->assign(dims.begin(), dims.end());
  return values;
}

void Group::set_dataset_attr(const std::string& dataset, const std::string& attr,
                             const std::string& value) {
  const std::string where = join_path(path_, dataset);
  write_string_attr(open_object(id(), dataset, where), where, attr, value);
}

std::string Group::dataset_attr_string(const std::string& dataset, const std::string& attr) const {
  const std::string where = join_path(path_, dataset);
  return read_string_attr(open_object(id(), dataset, where), where, attr);
}

void Group::flush() {
  check(H5Fflush(id(), H5F_SCOPE_GLOBAL), "flushing " + quoted(handle_->file->path));
}

// --- File ----------------------------------------------------------------------------------------

namespace {

std::atomic<unsigned> temp_counter{0};

std::shared_ptr<detail::FileState> open_existing(const std::string& path, bool writable) {
  silence_hdf5_errors();
  // POSIX first, for the errno text of a missing or unreadable file.
  const int fd = ::open(path.c_str(), writable ? O_RDWR : O_RDONLY);
  if (fd < 0) throw InputError(path, "", "cannot be read as HDF5 (" + errno_text() + ")");
  struct stat st;
  const bool directory = ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
  ::close(fd);
  if (directory)
    throw InputError(path, "",
                     "cannot be read as HDF5 (" + std::string(std::strerror(EISDIR)) + ")");
#if H5_VERSION_GE(1, 12, 0)
  const htri_t is_hdf5 = H5Fis_accessible(path.c_str(), H5P_DEFAULT);
#else
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
#endif
  if (is_hdf5 <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw InputError(path, "", "cannot be read as HDF5 (not an HDF5 file)");
  }
  const Id fapl = file_access_plist(false);
  const hid_t id = H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl);
  if (id < 0) throw InputError(path, "", "cannot be read as HDF5 (" + hdf5_reason() + ")");
  auto state = std::make_shared<detail::FileState>();
  state->id = id;
  state->path = path;
  return state;
}

// Makes the data reach the disk before the rename publishes it, so a crash cannot leave a
// truncated file under the final name.
void sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

File::File(std::shared_ptr<detail::FileState> state) : state_(std::move(state)) {}

File::File(File&& other) noexcept = default;

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    File discarded(std::move(*this));  // closes (and removes an uncommitted temp) on scope exit
    state_ = std::move(other.state_);
  }
  return *this;
}

File::~File() {
  if (!state_) return;
  state_->close();
  if (!state_->temp_path.empty()) std::remove(state_->temp_path.c_str());
}

File File::create(const std::string& path) { return create_at(path, true); }

File File::create(const std::string& path, const std::string& temp_path) {
  if (const std::string problem = non_regular_file_problem(temp_path); !problem.empty())
    throw InputError(path, "", "cannot be written (" + temp_path + ": " + problem + ")");
  return create_at(path, true, temp_path);
}

File File::create_at(const std::string& path) { return create_at(path, false); }

File File::create_at(const std::string& path, bool via_temp, std::string temp_name) {
  silence_hdf5_errors();
  // Never truncate or rename over a directory, device, FIFO or socket (commands check their
  // outputs first; this holds for every caller).
  if (const std::string problem = non_regular_file_problem(path); !problem.empty())
    throw InputError(path, "", "cannot be written (" + problem + ")");
  Id fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "creating a file property list");
  check(H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        "tracking link creation order");
  const Id fapl = file_access_plist(true);
  const std::string temp = !via_temp            ? path
                           : !temp_name.empty() ? temp_name
                                                : path + ".tmp-" + std::to_string(::getpid()) +
                                                      "-" + std::to_string(temp_counter++);
  // POSIX first, for the errno text of the usual failures (missing directory, no permission),
  // which HDF5 reports only inside a longer message.
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw InputError(path, "", "cannot be written (" + errno_text() + ")");
  ::close(fd);
  const hid_t id = H5Fcreate(temp.c_str(), H5F_ACC_TRUNC, fcpl, fapl);
  if (id < 0) {
    const std::string reason = hdf5_reason();
    std::remove(temp.c_str());
    throw InputError(path, "", "cannot be written (" + reason + ")");
  }
  auto state = std::make_shared<detail::FileState>();
  state->id = id;
  state->path = path;
  if (via_temp) state->temp_path = temp;
  return File(std::move(state));
}

File File::open_read(const std::string& path) { return File(open_existing(path, false)); }

File File::open_readwrite(const std::string& path) { return File(open_existing(path, true)); }

const std::string& File::path() const {
  if (!state_) throw std::runtime_error("HDF5: use of a moved-from File");
  return state_->path;
}

Group File::root() {
  if (!state_ || !state_->open())
    throw std::runtime_error("HDF5: root group of a file that is not open" +
                             (state_ ? " (" + quoted(state_->path) + ")" : std::string()));
  const hid_t id = check(H5Gopen2(state_->id, "/", H5P_DEFAULT),
                         "opening the root group of " + quoted(state_->path));
  return Group(std::make_shared<detail::GroupHandle>(state_, id), "/");
}

void File::flush() {
  if (!state_ || !state_->open())
    throw std::runtime_error("HDF5: flush of a file that is not open");
  check(H5Fflush(state_->id, H5F_SCOPE_GLOBAL), "flushing " + quoted(state_->path));
}

void File::sync() {
  flush();
  void* handle = nullptr;
  check(H5Fget_vfd_handle(state_->id, H5P_DEFAULT, &handle),
        "getting the file handle of " + quoted(state_->path));
  // The default (sec2) driver's handle is the POSIX file descriptor.
  if (handle != nullptr && ::fsync(*static_cast<int*>(handle)) != 0)
    throw std::runtime_error("fsync of " + quoted(state_->path) + " failed (" + errno_text() + ")");
}

void File::commit() {
  if (!state_ || !state_->open())
    throw std::runtime_error("HDF5: commit of a file that is not open");
  flush();
  const herr_t closed = H5Fclose(state_->id);
  state_->id = H5I_INVALID_HID;
  if (closed < 0) fail("closing " + quoted(state_->path));  // the destructor removes the temp
  if (state_->temp_path.empty()) return;
  sync_file(state_->temp_path);
  // The path may have changed since create(): a device or FIFO must not be replaced.
  rename_into_place(state_->temp_path, state_->path);
  state_->temp_path.clear();
}

}  // namespace cevns::h5
