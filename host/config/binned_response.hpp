// A forecast detector observed as the data releases observe theirs (a study's "responses"): the
// detector response of a data-set config (quenching, light yield, resolution, acceptance;
// host/config/response_matrix.hpp, the same schema and parser), the beam's arrival-time PDFs of
// the prompt and delayed flavours, (observed energy × time) bins, and background templates in
// those bins scaled to the detector's exposure.
//
// The observed counts are a linear map of the counts per (flux, fine true-recoil bin):
//   obs[j][t] = Σ_f time_pdf[f][t] Σ_b R[b][j] c[f][b],
// the fold of FoldTables (kernels/backend.hpp), so every evaluator of the engine — the quadratic
// form, sterile rows, mediator and radius rows, the direct integral — gives binned counts.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "host/config/config.hpp"
#include "host/config/response_matrix.hpp"
#include "kernels/backend.hpp"

namespace cevns {

struct BinnedResponse {
  std::string detector;  // the detector's name
  std::string data_dir;  // where the response's files are read from
  ResponseConfig response;
  Timing timing;
  std::vector<double> energy_edges, time_edges_us;  // observed bins (PE or keVee) × µs
  std::vector<double> true_edges_keV;               // fine true-recoil bins of the signal
  // Background templates on the analysis bins [energy][time], at the detector's exposure.
  struct Background {
    std::string name;
    double sigma = 0.0;          // normalisation uncertainty (relative)
    std::vector<double> counts;  // [energy bin][time bin]
  };
  std::vector<Background> backgrounds;
  Json json;  // as resolved, for the output's config

  int n_energy() const { return static_cast<int>(energy_edges.size()) - 1; }
  int n_time() const { return static_cast<int>(time_edges_us.size()) - 1; }
  int n_bins() const { return n_energy() * n_time(); }
  std::string energy_units() const { return response.observable_name(); }
  // The fold from (flux, fine true bin) to the analysis bins, energy slowest, time fastest: the
  // response matrix [true bin][energy bin] and, per flux, the arrival-time probability of each
  // time bin (time efficiency applied). Computed here, not when the study is read.
  FoldTables fold() const;
};

// One entry of a study's "responses" (at JSON path `path` of `file`) for `detector`, whose
// exposure is resolved. Its schema: {description?, data_dir?, response (as a data-set config's),
// timing ({model: "beam", mean_us, width_us, …, efficiency?}), binning ({pe_edges | keVee_edges,
// time_edges_us}), backgrounds ({name: {sigma, energy: [counts per energy bin, all times],
// time: [fraction per time bin] | "flat", protons_on_target, description}})}. Files of the
// response are read from data_dir (relative to `base_dir`), else $CEVNS_DATA, else `base_dir`.
BinnedResponse parse_binned_response(const Json& json, const std::string& file,
                                     const std::string& path, const std::string& base_dir,
                                     const DetectorConfig& detector);

}  // namespace cevns
