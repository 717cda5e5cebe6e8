// cevns merge: the shard files of one study (cevns scan --shard K/N) into the file an unsharded
// run writes: the same datasets, bit for bit, and the analysis redone over the whole grids.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "host/cli/commands.hpp"
#include "host/engine/backend_select.hpp"
#include "host/engine/resources.hpp"
#include "host/engine/study_run.hpp"
#include "host/io/checkpoint.hpp"
#include "host/io/h5io.hpp"
#include "host/io/scan_output.hpp"

namespace cevns {

namespace {

struct Part {
  std::string path;
  h5::File file;
  Shard shard;
  std::string hash, config, backend;
};

std::string short_hash(const std::string& h) { return h.substr(0, 12) + "..."; }

std::string shard_text(const Shard& s) {
  return std::to_string(s.index) + "/" + std::to_string(s.count);
}

Part open_part(const std::string& path) {
  Part p{path, h5::File::open_read(path), {}, {}, {}, {}};
  h5::Group root = p.file.root();
  const std::string kind = root.has_attr("file_kind") ? root.attr_string("file_kind") : "";
  if (kind != "scan_shard")
    throw InputError(path, "",
                     "is not a shard file (file_kind \"" + kind +
                         "\"); cevns merge takes the outputs of cevns scan --shard K/N");
  if (root.has_attr("checkpoint"))
    throw InputError(path, "",
                     "is an unfinished shard checkpoint; finish it with cevns scan ... --resume");
  for (const char* attr : {"study_hash", "shard_index", "shard_count", "config_json"})
    if (!root.has_attr(attr))
      throw InputError(path, "",
                       std::string("is not a shard file (no root attribute ") + attr + ")");
  p.hash = root.attr_string("study_hash");
  p.config = root.attr_string("config_json");
  p.backend = root.has_attr("backend") ? root.attr_string("backend") : "";
  p.shard.index = static_cast<std::size_t>(root.attr_int("shard_index"));
  p.shard.count = static_cast<std::size_t>(root.attr_int("shard_count"));
  if (sha256_hex(p.config) != p.hash)
    throw InputError(path, "",
                     "its config_json does not match its study_hash (an edited or damaged file)");
  return p;
}

}  // namespace

int run_merge(const MergeCommandOptions& options) {
  check_options(options);  // numbers and output paths, before any computation
  for (const auto& part : options.parts)
    if (part == options.output)
      throw InputError(options.output, "", "is both a part and the output of the merge");

  // Every check before any computing: the same study, the same N, every shard exactly once.
  std::vector<Part> parts;
  for (const auto& path : options.parts) parts.push_back(open_part(path));
  const Part& first = parts.front();
  std::map<std::size_t, const Part*> by_index;
  for (const Part& p : parts) {
    if (p.hash != first.hash)
      throw InputError(p.path, "",
                       "is from another study than " + first.path + " (study_hash " +
                           short_hash(p.hash) + " vs " + short_hash(first.hash) + ")");
    if (p.shard.count != first.shard.count)
      throw InputError(p.path, "",
                       "is shard " + shard_text(p.shard) + " but " + first.path + " is shard " +
                           shard_text(first.shard) + " (different shard counts)");
    const auto [it, inserted] = by_index.emplace(p.shard.index, &p);
    if (!inserted)
      throw InputError(
          p.path, "",
          "is shard " + shard_text(p.shard) + " again (duplicate of " + it->second->path + ")");
  }
  const std::size_t n_shards = first.shard.count;
  if (by_index.size() != n_shards) {
    std::string missing;
    std::size_t n_missing = 0;
    for (std::size_t k = 0; k < n_shards; ++k) {
      if (by_index.count(k)) continue;
      if (++n_missing <= 20) missing += (missing.empty() ? "" : ", ") + std::to_string(k);
    }
    if (n_missing > 20) missing += ", ...";
    throw InputError("merge", "",
                     std::string("missing shard") + (n_missing > 1 ? "s " : " ") + missing +
                         " of " + std::to_string(n_shards) + " (shards 0 to " +
                         std::to_string(n_shards - 1) + " are needed, each once)");
  }

  const Json config = Json::parse(first.config);
  const Study study = parse_study(config, first.path);
  auto backend = select_backend(options.backend);
  Progress progress(options.quiet ? Progress::Mode::kQuiet : Progress::Mode::kAuto);
  progress.note("cevns merge " + study.name + ": " + std::to_string(n_shards) + " shards on " +
                backend->name());

  StudyModels models = build_study_models(study, *backend, study.method);
  // Grids larger than the memory limit are not held: read from the parts in blocks of rows.
  const std::size_t memory_limit = options.memory_limit
                                       ? parse_byte_size(*options.memory_limit, "--memory-limit")
                                       : default_memory_limit();
  std::size_t whole_bytes = 0;
  for (const auto& model : models.models)
    whole_bytes += (study.statistics.feldman_cousins ? 24 : 16) * model->input().n_points();
  const bool stream = whole_bytes > memory_limit;
  struct PartRows {
    std::size_t begin, end;
    h5::Group group;
  };
  std::vector<std::vector<PartRows>> part_rows(models.results.size());
  for (std::size_t i = 0; i < models.results.size(); ++i) {
    ScanResult& r = models.results[i];
    const std::string label = result_label(r);
    const GridRows rows = grid_rows(models.models[i]->input(), 1);
    if (!stream) r.chi2.assign(rows.n_rows * rows.row_points, 0.0);
    std::vector<int> covered(rows.n_rows, 0);
    for (Part& p : parts) {
      h5::Group root = p.file.root();
      if (!root.is_group(label)) throw InputError(p.path, "", "has no group " + label);
      h5::Group g = root.group(label);
      const std::vector<std::size_t> shape = g.dataset_shape("chi2");
      std::size_t points = 1;
      for (std::size_t d : shape) points *= d;
      const auto begin = static_cast<std::size_t>(g.attr_int("row_begin"));
      const auto end = static_cast<std::size_t>(g.attr_int("row_end"));
      if (points != rows.n_rows * rows.row_points || shape.empty() || shape[0] != rows.n_rows ||
          begin > end || end > rows.n_rows)
        throw InputError(p.path, "", "group " + label + " has another grid shape than its study");
      if (r.toys > 0 && !g.has_attr("fc_toys"))
        throw InputError(p.path, "", "group " + label + " has no critical_delta_chi2");
      for (std::size_t row = begin; row < end; ++row) ++covered[row];
      if (stream) {
        part_rows[i].push_back(PartRows{begin, end, g});
        continue;
      }
      const std::vector<double> chi2 = g.read("chi2");
      std::copy(chi2.begin() + begin * rows.row_points, chi2.begin() + end * rows.row_points,
                r.chi2.begin() + begin * rows.row_points);
      if (r.toys > 0) {  // Feldman–Cousins: the part's rows of the critical values
        const std::vector<double> critical = g.read("critical_delta_chi2");
        if (r.critical_delta_chi2.size() != r.chi2.size())
          r.critical_delta_chi2.assign(r.chi2.size(), 0.0);
        std::copy(critical.begin() + begin * rows.row_points,
                  critical.begin() + end * rows.row_points,
                  r.critical_delta_chi2.begin() + begin * rows.row_points);
      }
    }
    for (std::size_t row = 0; row < rows.n_rows; ++row)
      if (covered[row] != 1)
        throw InputError("merge", "",
                         "row " + std::to_string(row) + " of group " + label + " is held by " +
                             std::to_string(covered[row]) + " parts, not one");
  }
  if (!stream)
    for (std::size_t i = 0; i < models.results.size(); ++i) {
      if (study.statistics.feldman_cousins)  // toys keyed by point: any backend draws the same
        compute_expected_limit_bands(*models.models[i], study, &models.results[i], *backend);
      analyse_grid(*models.models[i], study, &models.results[i]);
    }

  // The grids were computed by the parts' backend(s); record those, as an unsharded run does.
  std::set<std::string> backends;
  std::string backend_names;
  for (const Part& p : parts)
    if (backends.insert(p.backend).second)
      backend_names += (backend_names.empty() ? "" : ",") + p.backend;
  ScanFileInfo info;
  info.provenance = Provenance{options.command_line, backend_names, config};
  info.study_hash = first.hash;
  info.merged_shards = n_shards;
  if (stream) {
    progress.note("merging in row blocks: the whole grids' " + format_bytes(whole_bytes) +
                  " exceed the memory limit " + format_bytes(memory_limit));
    // Rows [first, first + n) of result i from the parts that hold them (each row exactly once).
    const auto reader = [&](const char* dataset) {
      return [&part_rows, dataset, &models](std::size_t i, std::size_t first, std::size_t n,
                                            double* out) {
        const std::size_t per_row = grid_rows(models.models[i]->input(), 1).row_points;
        for (const PartRows& p : part_rows[i]) {
          const std::size_t lo = std::max(first, p.begin), hi = std::min(first + n, p.end);
          if (lo < hi) p.group.read_rows(dataset, lo, hi - lo, out + (lo - first) * per_row);
        }
      };
    };
    StoredGrids grids;
    grids.chi2 = reader("chi2");
    grids.critical = reader("critical_delta_chi2");
    write_streamed_scan_file(options.output, info, study, models, {}, grids, *backend,
                             memory_limit);
  } else {
    write_scan_file(options.output, info, models.results, {});
  }
  progress.note("merged " + std::to_string(n_shards) + " shards into " + options.output);
  print_table(study, models.results);
  return 0;
}

}  // namespace cevns
