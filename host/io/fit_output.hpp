// Output of the fits to data (host/data/fit.hpp): the JSON forms of `cevns fit --json` and the
// HDF5 groups of `cevns fit -o` (docs/output-format.md, `file_kind = fit`).
#pragma once

#include <string>
#include <vector>

#include "host/core/json_reader.hpp"
#include "host/data/fit.hpp"
#include "host/io/h5io.hpp"

namespace cevns {

// The form of a 2-D entry of `cevns scan --json` (host/io/scan_output.cpp), and of a 1-D one.
Json plane_json(const PlaneScan& r);
Json profile_json(const ProfileScan& p);

// A plane as a scan group is laid out (2-D), a profile, and a whole data set's group: count fit,
// spectra, profiles, planes and the first-measurement check.
void write_plane(h5::Group g, const PlaneScan& r, const std::string& detector);
void write_profile(h5::Group g, const ProfileScan& p, const std::string& long_name);
void write_data_set(h5::Group g, const DataSet& d, const CountFit* n,
                    const std::vector<ProfileScan>& scans, const std::vector<PlaneScan>& planes,
                    const Check* check);

}  // namespace cevns
