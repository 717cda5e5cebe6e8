// Writing results as HDF5 (layout: docs/output-format.md) and as JSON tables.
#pragma once

#include <string>
#include <vector>

#include "host/config/study.hpp"
#include "host/engine/rates.hpp"
#include "host/engine/study_run.hpp"
#include "host/io/h5io.hpp"

namespace cevns {

struct Provenance {
  std::string command, backend;
  Json config;
};

// Root attributes shared by every output file.
void write_provenance(h5::Group root, const Provenance& p, const std::string& file_kind);

// Axis coordinates, the (NaN-filled) chi2 variable and the group's descriptive attributes.
void write_scan_layout(h5::Group g, const ScanResult& r);
// The analysis of a complete grid: chi2 (whole), delta_chi2, best fit, intervals, contours.
// A streamed grid (r.chi2 empty) whose chi2, delta_chi2 (and critical_delta_chi2, toys) rows
// are in the group already gets the rest.
void write_scan_analysis(h5::Group g, const ScanResult& r);
// The long names of the Feldman–Cousins per-point datasets (written whole or row by row).
inline constexpr const char* kCriticalDeltaChi2LongName =
    "Feldman-Cousins critical Delta chi^2 at the confidence level: quantile cl of "
    "t = chi2_toy(point) - min over the grid of chi2_toy";
inline constexpr const char* kToysLongName = "pseudo-experiments per grid point";
// The statistics of a result (SPEC §11): its method and likelihood, and under Feldman–Cousins
// critical_delta_chi2 and toys on the grid's dimensions and expected_limit_bands; the JSON form
// {method, likelihood, toys, seed, expected_limit_bands}.
void write_feldman_cousins(h5::Group g, const ScanResult& r);
Json feldman_cousins_json(const ScanResult& r);

// Contour polylines end to end: contour_x/contour_y on (contour_point), contour_start and
// contour_length on (contour).
void write_contours(h5::Group g, const std::vector<Polyline>& contours, const Axis& x,
                    const Axis& y);
// `cevns scan --json` forms: [{x, y, closed}], [{dm2, sin2_2theta (null: nothing excluded)}].
Json contours_json(const std::vector<Polyline>& contours);
Json exclusion_json(const std::vector<std::pair<double, double>>& exclusion);
// Mediator planes: [{mass_MeV, coupling (null: nothing excluded)}] and, per mass,
// [{mass_MeV, bands: [[lo, hi], …]}].
Json mediator_exclusion_json(const std::vector<std::pair<double, double>>& exclusion);
Json allowed_bands_json(const std::vector<std::pair<double, double>>& exclusion,
                        const std::vector<std::vector<Interval>>& bands);
// The `mediator` and `mediator_convention` attributes of a mediator grid's group.
void write_mediator_attributes(h5::Group g, int mediator);

void write_rates_group(h5::Group g, const RatesResult& r, const DetectorConfig& d);

// The results table of `cevns scan --json`.
Json scan_results_json(const Study& study, const std::vector<ScanResult>& results);

}  // namespace cevns
