// A thin RAII layer over the HDF5 C API that writes files the netCDF-4 way (docs/output-format.md):
// every dimension is a coordinate variable that is its own dimension scale, every data variable
// has its dimension scales attached in order, and every dataset carries `units` and `long_name`,
// so `xarray.open_dataset(path, engine="h5netcdf", group=...)` reads each group without a custom
// reader.
//
// Errors: file-level failures a user can cause (unwritable directory, missing or non-HDF5 input)
// throw cevns::InputError; every other failed HDF5 call throws std::runtime_error naming the
// operation and the object; misuse of this API (wrong data length, unknown dimension) throws
// std::invalid_argument. HDF5's own error-stack printing is switched off.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace cevns::h5 {

namespace detail {
struct FileState;
struct GroupHandle;
}  // namespace detail

// A group of an open file. Cheap to copy (copies share one HDF5 handle). Once its File is
// committed or destroyed every Group of it becomes unusable: each call then throws
// std::runtime_error.
class Group {
 public:
  const std::string& path() const;  // "/" for the root, "/scan/det/sc" for nested groups

  // Opens the child group, creating it (and, for "a/b/c", the missing intermediates) if absent.
  Group group(const std::string& name);
  bool has(const std::string& name) const;    // a link of that name (or relative path) exists
  std::vector<std::string> children() const;  // child groups and datasets, in creation order
  bool is_group(const std::string& name) const;

  // Group attributes; setting one that exists replaces it. Strings are variable-length UTF-8,
  // which h5py and xarray return as Python str.
  void set_attr(const std::string& name, const std::string& value);
  void set_attr(const std::string& name, double value);
  void set_attr(const std::string& name, long long value);
  // Any other integer (int, std::size_t, bool) is stored as int64; without this, an int argument
  // would be ambiguous between the double and long long overloads.
  template <typename T, typename = std::enable_if_t<std::is_integral_v<T>>>
  void set_attr(const std::string& name, T value) {
    set_attr(name, static_cast<long long>(value));
  }
  void set_attr(const std::string& name, const std::vector<double>& values);
  bool has_attr(const std::string& name) const;
  std::string attr_string(const std::string& name) const;
  double attr_double(const std::string& name) const;
  long long attr_int(const std::string& name) const;
  std::vector<double> attr_doubles(const std::string& name) const;

  // A 1-D double coordinate variable: a dataset that is its own dimension scale, named `name`.
  void coordinate(const std::string& name, const std::vector<double>& values,
                  const std::string& units, const std::string& long_name);
  // An index-only dimension: int64 values 0 … n−1, its own dimension scale, units "1". n may be 0.
  void index_coordinate(const std::string& name, std::size_t n, const std::string& long_name);

  // A data variable on `dims` (coordinates already in this group, slowest-varying first); `data`
  // is row-major and its length must be the product of the dimension lengths.
  void variable(const std::string& name, const std::vector<std::string>& dims,
                const std::vector<double>& data, const std::string& units,
                const std::string& long_name);
  void variable_int(const std::string& name, const std::vector<std::string>& dims,
                    const std::vector<long long>& data, const std::string& units,
                    const std::string& long_name);

  // A double variable for checkpointed scans: chunked in whole rows of the last dimension, reads
  // as NaN until written. write_rows fills rows [first_row, first_row + n_rows) of the FIRST
  // dimension from row-major `data` (n_rows × the product of the other dimension lengths).
  void create_variable(const std::string& name, const std::vector<std::string>& dims,
                       const std::string& units, const std::string& long_name);
  void write_rows(const std::string& name, std::size_t first_row, std::size_t n_rows,
                  const double* data);

  // The same for int64 variables (the Feldman–Cousins `toys` of a streamed scan), reading as
  // `fill` until written.
  void create_int_variable(const std::string& name, const std::vector<std::string>& dims,
                           const std::string& units, const std::string& long_name, long long fill);
  void write_int_rows(const std::string& name, std::size_t first_row, std::size_t n_rows,
                      const long long* data);
  // Rows [first_row, first_row + n_rows) of the FIRST dimension of a numeric dataset, converted
  // to double, into `out` (n_rows × the product of the other dimension lengths).
  void read_rows(const std::string& name, std::size_t first_row, std::size_t n_rows,
                 double* out) const;

  // The dimension lengths of a dataset, without reading it.
  std::vector<std::size_t> dataset_shape(const std::string& name) const;

  // Any numeric dataset, converted to double, row-major; `shape` receives its dimension lengths.
  std::vector<double> read(const std::string& name,
                           std::vector<std::size_t>* shape = nullptr) const;

  void set_dataset_attr(const std::string& dataset, const std::string& attr,
                        const std::string& value);
  std::string dataset_attr_string(const std::string& dataset, const std::string& attr) const;

  void flush();

 private:
  friend class File;
  Group(std::shared_ptr<detail::GroupHandle> handle, std::string path);
  std::int64_t id() const;  // the hid_t, after checking that the file is still open

  std::shared_ptr<detail::GroupHandle> handle_;
  std::string path_;
};

class File {
 public:
  // A new file written under a temporary name beside `path` (path + ".tmp-<pid>-<n>") and renamed
  // to `path` by commit(); destroyed without commit(), the temporary file is removed, so an error
  // never leaves a half-written file at `path`.
  // Throws InputError(path, "", "cannot be written (<reason>)").
  static File create(const std::string& path);
  // The same under the given temporary name (truncated if present), for a file a killed run may
  // leave behind and the next run must reuse rather than strand (checkpoints: FILE.partial.new).
  static File create(const std::string& path, const std::string& temp_path);
  // A new file written in place at `path` (truncating any file there), for checkpoints: what is
  // flushed survives a crash, and neither commit() nor the destructor renames or removes it.
  // Throws InputError(path, "", "cannot be written (<reason>)").
  static File create_at(const std::string& path);
  // An existing file, in place (resuming a checkpoint needs read-write). Throws
  // InputError(path, "", "cannot be read as HDF5 (<reason>)") when missing or not HDF5.
  static File open_read(const std::string& path);
  static File open_readwrite(const std::string& path);

  File(File&&) noexcept;
  File& operator=(File&&) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();

  const std::string& path() const;  // the final path, not the temporary one
  Group root();
  void flush();
  // flush(), then fsync() of the file, so what was written survives a crash of the machine too.
  void sync();
  // Flushes and closes the file, then (for create()) renames the temporary file to the final
  // path; a rename failure throws InputError(path, "", "cannot be written (<reason>)").
  void commit();

 private:
  explicit File(std::shared_ptr<detail::FileState> state);
  static File create_at(const std::string& path, bool via_temp, std::string temp = {});
  std::shared_ptr<detail::FileState> state_;
};

}  // namespace cevns::h5
