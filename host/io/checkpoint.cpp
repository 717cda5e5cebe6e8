#include "host/io/checkpoint.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>

#include "host/core/error.hpp"

namespace cevns {

// --- SHA-256 (FIPS 180-4) -------------------------------------------------------------------------

namespace {

constexpr std::array<std::uint32_t, 64> kSha256K = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void sha256_block(std::array<std::uint32_t, 8>& h, const unsigned char* p) {
  std::uint32_t w[64];
  for (int i = 0; i < 16; ++i)
    w[i] = std::uint32_t(p[4 * i]) << 24 | std::uint32_t(p[4 * i + 1]) << 16 |
           std::uint32_t(p[4 * i + 2]) << 8 | std::uint32_t(p[4 * i + 3]);
  for (int i = 16; i < 64; ++i) {
    const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int i = 0; i < 64; ++i) {
    const std::uint32_t t1 =
        k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kSha256K[i] + w[i];
    const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

}  // namespace

std::string sha256_hex(const std::string& data) {
  std::array<std::uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string msg = data;
  const std::uint64_t bits = std::uint64_t(data.size()) * 8;
  msg.push_back(static_cast<char>(0x80));
  while (msg.size() % 64 != 56) msg.push_back('\0');
  for (int i = 7; i >= 0; --i) msg.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  for (std::size_t off = 0; off < msg.size(); off += 64)
    sha256_block(h, reinterpret_cast<const unsigned char*>(msg.data()) + off);
  char out[65];
  for (int i = 0; i < 8; ++i) std::snprintf(out + 8 * i, 9, "%08x", h[i]);
  return std::string(out, 64);
}

std::string study_hash(const Study& study) { return sha256_hex(study.json.dump()); }

Shard parse_shard(const std::string& text) {
  const auto bad = [&]() {
    return InputError("--shard", "", "expected K/N with 0 <= K < N, got \"" + text + "\"");
  };
  const std::size_t slash = text.find('/');
  if (slash == std::string::npos) throw bad();
  const auto number = [&](const std::string& s) {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
      throw bad();
    return static_cast<std::size_t>(std::stoul(s));
  };
  Shard shard;
  shard.index = number(text.substr(0, slash));
  shard.count = number(text.substr(slash + 1));
  if (shard.count == 0 || shard.index >= shard.count) throw bad();
  return shard;
}

// --- signals --------------------------------------------------------------------------------------

namespace {

volatile std::sig_atomic_t g_interrupt = 0;
struct timespec g_first_signal;

double seconds_since(const struct timespec& t) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return double(now.tv_sec - t.tv_sec) + 1e-9 * double(now.tv_nsec - t.tv_nsec);
}

// Async-signal-safe: write(), clock_gettime(), signal() and raise() only.
extern "C" void on_interrupt(int sig) {
  if (g_interrupt != 0) {
    // A second signal kills at once, unless it is the first one delivered again within a second
    // (a terminal's Ctrl-C reaches the whole process group, and a wrapper script or a batch
    // system may forward the same request).
    if (seconds_since(g_first_signal) < 1.0) return;
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_interrupt = sig;
  clock_gettime(CLOCK_MONOTONIC, &g_first_signal);
  static const char msg[] =
      "\ncevns: interrupted: finishing the current chunk and saving (signal again to kill)\n";
  const ssize_t ignored = ::write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_interrupt = 0;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

int InterruptGuard::pending_interrupt() { return g_interrupt; }

// --- checkpoint files -----------------------------------------------------------------------------

namespace {

void write_root_info(h5::Group root, const ScanFileInfo& info, bool checkpoint) {
  write_provenance(root, info.provenance, info.shard ? "scan_shard" : "scan");
  root.set_attr("study_hash", info.study_hash);
  if (info.shard) {
    root.set_attr("shard_index", info.shard->index);
    root.set_attr("shard_count", info.shard->count);
  }
  if (checkpoint) root.set_attr("chunk_points", info.chunk_points);
  if (info.merged_shards > 0) root.set_attr("merged_shards", info.merged_shards);
}

std::string describe_shard(const std::optional<Shard>& s) {
  return s ? "--shard " + std::to_string(s->index) + "/" + std::to_string(s->count) : "no --shard";
}

}  // namespace

Checkpoint Checkpoint::create(const std::string& path, const ScanFileInfo& info) {
  Checkpoint c(h5::File::create_at(path));
  write_root_info(c.file_.root(), info, true);
  return c;
}

std::optional<Checkpoint> Checkpoint::resume(const std::string& path, const ScanFileInfo& info) {
  h5::File file = h5::File::open_readwrite(path);
  h5::Group root = file.root();
  if (!root.has_attr("checkpoint")) return std::nullopt;  // died before its layout was flushed
  const auto mismatch = [&](const std::string& what) {
    return InputError(path, "",
                      "cannot be resumed: " + what +
                          "; run the original command again, or remove the file to start over");
  };
  const std::string hash = root.attr_string("study_hash");
  if (hash != info.study_hash)
    throw mismatch("it is from another study or configuration (study_hash " + hash.substr(0, 12) +
                   "..., this run " + info.study_hash.substr(0, 12) + "...)");
  std::optional<Shard> shard;
  if (root.has_attr("shard_index"))
    shard = Shard{static_cast<std::size_t>(root.attr_int("shard_index")),
                  static_cast<std::size_t>(root.attr_int("shard_count"))};
  if (shard.has_value() != info.shard.has_value() ||
      (shard && (shard->index != info.shard->index || shard->count != info.shard->count)))
    throw mismatch("it was started with " + describe_shard(shard) + ", this run has " +
                   describe_shard(info.shard));
  const auto chunk_points = static_cast<std::size_t>(root.attr_int("chunk_points"));
  if (chunk_points != info.chunk_points)
    throw mismatch("it was started with --chunk-points " + std::to_string(chunk_points) +
                   ", this run has " + std::to_string(info.chunk_points));
  Checkpoint c(std::move(file));
  c.resumed_ = true;
  return c;
}

void Checkpoint::add_groups(const std::vector<ScanResult>& results,
                            const std::vector<GridRows>& rows,
                            const std::vector<std::pair<std::size_t, std::size_t>>& ranges) {
  h5::Group root = file_.root();
  const std::string& path = file_.path();
  for (std::size_t i = 0; i < results.size(); ++i) {
    const ScanResult& r = results[i];
    const auto [begin, end] = ranges[i];
    const std::size_t n_chunks = chunk_count(rows[i], begin, end);
    const std::string label = result_label(r);
    if (resumed_) {
      const auto layout_error = [&](const std::string& what) {
        return InputError(path, "", "cannot be resumed: group " + label + " " + what +
                                        "; remove the file to start over");
      };
      if (!root.is_group(label)) throw layout_error("is missing");
      h5::Group g = root.group(label);
      std::vector<std::size_t> shape;
      g.read("chunk_done", &shape);
      if (static_cast<std::size_t>(g.attr_int("row_begin")) != begin ||
          static_cast<std::size_t>(g.attr_int("row_end")) != end ||
          static_cast<std::size_t>(g.attr_int("rows_per_chunk")) != rows[i].rows_per_chunk ||
          shape.size() != 1 || shape[0] != n_chunks)
        throw layout_error("has another chunk layout");
      g.read("chi2", &shape);
      std::size_t points = 1;
      for (std::size_t d : shape) points *= d;
      if (shape.empty() || shape[0] != rows[i].n_rows ||
          points != rows[i].n_rows * rows[i].row_points)
        throw layout_error("has another grid shape");
      groups_.push_back(g);
      continue;
    }
    h5::Group g = root.group(label);
    write_scan_layout(g, r);
    g.set_attr("row_begin", begin);
    g.set_attr("row_end", end);
    g.set_attr("rows_per_chunk", rows[i].rows_per_chunk);
    g.index_coordinate("chunk", n_chunks, "checkpoint chunk index");
    g.variable_int("chunk_done", {"chunk"}, std::vector<long long>(n_chunks, 0), "1",
                   "1 where the chunk's rows of chi2 are written");
    // Allocating the rows this run will write now means that, from the first flush on, writing
    // a chunk changes raw data only, never the file's metadata.
    const std::vector<double> nan((end - begin) * rows[i].row_points,
                                  std::numeric_limits<double>::quiet_NaN());
    g.write_rows("chi2", begin, end - begin, nan.data());
    groups_.push_back(g);
  }
  if (!resumed_) root.set_attr("checkpoint", 1LL);
  file_.flush();
}

std::vector<bool> Checkpoint::restore(std::size_t i, std::vector<double>* grid) {
  h5::Group& g = groups_.at(i);
  const std::vector<double> flags = g.read("chunk_done");
  std::vector<bool> done(flags.size());
  bool any = false;
  for (std::size_t c = 0; c < flags.size(); ++c) any |= (done[c] = flags[c] != 0.0);
  if (!any) return done;
  std::vector<std::size_t> shape;
  const std::vector<double> stored = g.read("chi2", &shape);
  const auto begin = static_cast<std::size_t>(g.attr_int("row_begin"));
  const auto end = static_cast<std::size_t>(g.attr_int("row_end"));
  const auto per_chunk = static_cast<std::size_t>(g.attr_int("rows_per_chunk"));
  const std::size_t per_row = shape[0] == 0 ? 0 : stored.size() / shape[0];  // points per row
  if (grid->size() != stored.size())
    grid->assign(stored.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t c = 0; c < done.size(); ++c) {
    if (!done[c]) continue;
    const std::size_t r0 = begin + c * per_chunk, r1 = std::min(end, r0 + per_chunk);
    // A flagged chunk with a missing value is not trusted: it is computed again.
    if (std::any_of(stored.begin() + r0 * per_row, stored.begin() + r1 * per_row,
                    [](double x) { return std::isnan(x); })) {
      done[c] = false;
      continue;
    }
    std::copy(stored.begin() + r0 * per_row, stored.begin() + r1 * per_row,
              grid->begin() + r0 * per_row);
  }
  return done;
}

std::size_t Checkpoint::done_chunks() const {
  std::size_t n = 0;
  for (const h5::Group& g : groups_)
    for (double flag : g.read("chunk_done")) n += flag != 0.0;
  return n;
}

void Checkpoint::write_chunk(std::size_t i, std::size_t chunk, std::size_t first_row,
                             std::size_t n_rows, const double* chi2) {
  h5::Group& g = groups_.at(i);
  // The rows reach the disk before the flag that vouches for them (even if the machine dies).
  g.write_rows("chi2", first_row, n_rows, chi2);
  file_.sync();
  const double one = 1.0;
  g.write_rows("chunk_done", chunk, 1, &one);
  file_.flush();
}

void Checkpoint::close() {
  groups_.clear();
  file_.commit();  // created in place or opened: flushes and closes, no rename
}

// --- final files ----------------------------------------------------------------------------------

void write_scan_file(const std::string& path, const ScanFileInfo& info,
                     const std::vector<ScanResult>& results,
                     const std::vector<std::pair<std::size_t, std::size_t>>& ranges) {
  h5::File file = h5::File::create(path);
  h5::Group root = file.root();
  write_root_info(root, info, false);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const ScanResult& r = results[i];
    h5::Group g = root.group(result_label(r));
    write_scan_layout(g, r);
    if (info.shard) {
      const auto [begin, end] = ranges[i];
      const std::size_t per_row = r.axes.size() == 2 ? r.axes[0].size() : 1;
      g.set_attr("row_begin", begin);
      g.set_attr("row_end", end);
      g.write_rows("chi2", begin, end - begin, r.chi2.data() + begin * per_row);
    } else {
      write_scan_analysis(g, r);
    }
  }
  if (!info.shard) root.set_attr("complete", 1LL);
  file.commit();
}

}  // namespace cevns
