// cevns merge: the shard files of one study (cevns scan --shard K/N) into the file an unsharded
// run writes: the same datasets, bit for bit, and the analysis redone over the whole grids.
#include <cstdio>
#include <map>
#include <set>

#include "host/cli/commands.hpp"
#include "host/engine/backend_select.hpp"
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
  for (std::size_t i = 0; i < models.results.size(); ++i) {
    ScanResult& r = models.results[i];
    const std::string label = result_label(r);
    const GridRows rows = grid_rows(models.models[i]->input(), 1);
    r.chi2.assign(rows.n_rows * rows.row_points, 0.0);
    std::vector<int> covered(rows.n_rows, 0);
    for (Part& p : parts) {
      h5::Group root = p.file.root();
      if (!root.is_group(label)) throw InputError(p.path, "", "has no group " + label);
      h5::Group g = root.group(label);
      std::vector<std::size_t> shape;
      const std::vector<double> chi2 = g.read("chi2", &shape);
      const auto begin = static_cast<std::size_t>(g.attr_int("row_begin"));
      const auto end = static_cast<std::size_t>(g.attr_int("row_end"));
      if (chi2.size() != r.chi2.size() || shape.empty() || shape[0] != rows.n_rows || begin > end ||
          end > rows.n_rows)
        throw InputError(p.path, "", "group " + label + " has another grid shape than its study");
      std::copy(chi2.begin() + begin * rows.row_points, chi2.begin() + end * rows.row_points,
                r.chi2.begin() + begin * rows.row_points);
      if (r.toys > 0) {  // Feldman–Cousins: the part's rows of the critical values
        if (!g.has_attr("fc_toys"))
          throw InputError(p.path, "", "group " + label + " has no critical_delta_chi2");
        const std::vector<double> critical = g.read("critical_delta_chi2");
        if (r.critical_delta_chi2.size() != r.chi2.size())
          r.critical_delta_chi2.assign(r.chi2.size(), 0.0);
        std::copy(critical.begin() + begin * rows.row_points,
                  critical.begin() + end * rows.row_points,
                  r.critical_delta_chi2.begin() + begin * rows.row_points);
      }
      for (std::size_t row = begin; row < end; ++row) ++covered[row];
    }
    for (std::size_t row = 0; row < rows.n_rows; ++row)
      if (covered[row] != 1)
        throw InputError("merge", "",
                         "row " + std::to_string(row) + " of group " + label + " is held by " +
                             std::to_string(covered[row]) + " parts, not one");
  }
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
  write_scan_file(options.output, info, models.results, {});
  progress.note("merged " + std::to_string(n_shards) + " shards into " + options.output);
  print_table(study, models.results);
  return 0;
}

}  // namespace cevns
