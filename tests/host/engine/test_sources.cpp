// A detector that sees several neutrino sources (SPEC §12: the second target station), each with
// its own baseline, spread and exposure: the counts are the sum over the sources, each with its
// own flux normalisation η_s = r_s N_POT,s / (4π L_s²) and its own L_s in the oscillation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "host/config/config.hpp"
#include "host/config/study.hpp"
#include "host/engine/counts_model.hpp"
#include "host/engine/quadrature.hpp"
#include "host/engine/rates.hpp"
#include "host/engine/study_run.hpp"
#include "kernels/backend.hpp"
#include "tests/host/engine/detector_file.hpp"
#include "tests/study_json.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::axis;
using testing::detector_load_error;
using testing::load_detector_json;
using testing::ScratchDir;
using testing::source_path;
using testing::study_error;

double relative(double a, double b) { return std::fabs(a - b) / std::max(std::fabs(b), 1e-300); }

// An inline source: `name`, 0.08 ν per flavour per proton, `pot` protons on target, and the
// numbers that turn a run in years into protons (1e23 per MW-year, 1 MW nominal).
Json source(const std::string& name, double pot) {
  return {{"name", name},
          {"nu_per_flavour_per_pot", 0.08},
          {"protons_on_target", pot},
          {"beam_power_MW", 1.0},
          {"protons_per_MW_year", 1e23}};
}

// The shipped detector `name` with its single source replaced by the `sources` list.
Json with_sources(const std::string& name, const Json& sources) {
  Json j = load_json_file(source_path("configs/detectors/" + name + ".json"));
  for (const char* key : {"source", "baseline_m", "baseline_spread_m", "exposure"}) j.erase(key);
  j["sources"] = sources;
  return j;
}

// The shipped detector `name` with one source: `src` at `baseline_m` ± `spread_m`.
Json with_source(const std::string& name, const Json& src, double baseline_m, double spread_m) {
  Json j = load_json_file(source_path("configs/detectors/" + name + ".json"));
  j["source"] = src;
  j["baseline_m"] = baseline_m;
  j["baseline_spread_m"] = spread_m;
  return j;
}

PhysicsModel sterile(int channel, double sin2_2theta, double dm2_eV2) {
  PhysicsModel m = standard_model();
  m.sterile_channel = channel;
  m.value[kSin22Theta] = sin2_2theta;
  m.value[kDm2] = dm2_eV2;
  return m;
}

std::vector<double> recoil_counts(const DetectorConfig& d, const PhysicsModel& m,
                                  Backend& backend) {
  return compute_rates(d, recoil_bin_edges_keV(d, 4.0), m, backend).bin_counts();
}

// The direct path's counts per recoil bin: every entry's full integrand (kernels/rate_problem.hpp,
// entry_direct), the survival inside it.
std::vector<double> direct_counts(const DetectorConfig& d, const PhysicsModel& m) {
  const RateProblem p = build_rate_problem(d, recoil_bin_edges_keV(d, 4.0));
  const RateView v = p.host_view();
  std::vector<double> out(p.n_bins(), 0.0);
  for (std::size_t e = 0; e < p.entries.size(); ++e)
    out[p.entries[e].bin] += entry_direct(v, static_cast<int>(e), m);
  return out;
}

// The factorised path's counts per recoil bin: the sterile tables of the moments
// (unaffected + affected − sin²2θ · D(Δm²)), as the grid evaluator forms them.
std::vector<double> factorised_sterile_counts(const DetectorConfig& d, const PhysicsModel& m,
                                              Backend& backend) {
  auto problem = std::make_shared<const RateProblem>(
      build_rate_problem(d, recoil_bin_edges_keV(d, 4.0)));
  auto moments = std::make_shared<const std::vector<Moments>>(backend.entry_moments(*problem));
  const CountsModel counts(problem, moments, 1.0);
  PhysicsModel base = m;
  const CountsModel::SterileTables t = counts.sterile_tables(base);
  const std::vector<double> row = CountsModel::depletion_row(t.depletion, m.value[kDm2]);
  std::vector<double> out(row.size());
  for (std::size_t b = 0; b < row.size(); ++b)
    out[b] = t.unaffected[b] + t.affected[b] - m.value[kSin22Theta] * row[b];
  return out;
}

TEST(Sources, TwoHalvesOfOneSourceAtOneBaselineAreThatSource) {
  ScratchDir dir;
  const DetectorConfig one =
      load_detector_json(dir, with_source("ar", source("SNS", 1.76e23), 29.0, 0.51));
  const DetectorConfig halves = load_detector_json(
      dir,
      with_sources(
          "ar",
          {{{"source", source("A", 0.88e23)}, {"baseline_m", 29.0}, {"baseline_spread_m", 0.51}},
           {{"source", source("B", 0.88e23)}, {"baseline_m", 29.0}, {"baseline_spread_m", 0.51}}}));
  auto backend = make_cpu_backend();
  PhysicsModel mediator = standard_model();
  mediator.mediator = kVectorUniversal;
  mediator.value[kMediatorCoupling] = 3e-5;
  mediator.value[kMediatorMass] = 20.0;
  for (const PhysicsModel& m : {standard_model(), sterile(kNuMuDisappearance, 0.3, 2.0),
                                sterile(kNuEDisappearance, 0.5, 7.0), mediator}) {
    const auto a = recoil_counts(one, m, *backend), b = recoil_counts(halves, m, *backend);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_LT(relative(b[i], a[i]), 1e-12) << i;
    const auto c = direct_counts(one, m), d = direct_counts(halves, m);
    for (std::size_t i = 0; i < c.size(); ++i) EXPECT_LT(relative(d[i], c[i]), 1e-12) << i;
  }
  const PhysicsModel s = sterile(kNuMuDisappearance, 0.3, 2.0);
  const auto a = factorised_sterile_counts(one, s, *backend);
  const auto b = factorised_sterile_counts(halves, s, *backend);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_LT(relative(b[i], a[i]), 1e-12) << i;
}

// η ∝ 1/L²: a second, equal source at twice the baseline adds a quarter of the first's counts.
TEST(Sources, ASourceAtTwiceTheBaselineAddsAQuarter) {
  ScratchDir dir;
  const DetectorConfig near =
      load_detector_json(dir, with_source("ge72", source("SNS", 1.76e23), 20.0, 0.0));
  const DetectorConfig both = load_detector_json(
      dir, with_sources("ge72", {{{"source", source("near", 1.76e23)}, {"baseline_m", 20.0}},
                                 {{"source", source("far", 1.76e23)}, {"baseline_m", 40.0}}}));
  const DetectorConfig far = load_detector_json(
      dir, with_sources("ge72", {{{"source", source("far", 1.76e23)}, {"baseline_m", 40.0}}}));
  auto backend = make_cpu_backend();
  const auto n = recoil_counts(near, standard_model(), *backend);
  const auto b = recoil_counts(both, standard_model(), *backend);
  const auto f = recoil_counts(far, standard_model(), *backend);
  for (std::size_t i = 0; i < n.size(); ++i) {
    EXPECT_LT(relative(b[i], 1.25 * n[i]), 1e-12) << i;
    EXPECT_LT(relative(f[i], 0.25 * n[i]), 1e-12) << i;
  }
}

// The oscillation of each source at its own baseline: the detector seeing the first target
// station at 29 m and the second at 20 m (different POT, spreads and flux per proton) counts what
// the two one-source detectors count together, on the direct path (every entry's integrand) and
// on the factorised one (moments and depletion tables), for both channels.
TEST(Sources, SterileCountsAreTheSumOfOneSourceDetectors) {
  ScratchDir dir;
  Json sts = source("STS", 0.6e23);
  sts["nu_per_flavour_per_pot"] = 0.09;
  const DetectorConfig both = load_detector_json(
      dir,
      with_sources(
          "ar",
          {{{"source", source("FTS", 1.76e23)}, {"baseline_m", 29.0}, {"baseline_spread_m", 0.51}},
           {{"source", sts}, {"baseline_m", 20.0}, {"baseline_spread_m", 0.3}}}));
  const DetectorConfig fts =
      load_detector_json(dir, with_source("ar", source("FTS", 1.76e23), 29.0, 0.51));
  const DetectorConfig only_sts = load_detector_json(dir, with_source("ar", sts, 20.0, 0.3));
  auto backend = make_cpu_backend();
  for (const PhysicsModel& m :
       {sterile(kNuMuDisappearance, 0.3, 2.0), sterile(kNuMuDisappearance, 0.1, 40.0),
        sterile(kNuEDisappearance, 0.5, 0.7), sterile(kNuEDisappearance, 0.2, 15.0)}) {
    const auto a = recoil_counts(fts, m, *backend), b = recoil_counts(only_sts, m, *backend);
    const auto moments = recoil_counts(both, m, *backend);
    const auto direct = direct_counts(both, m);
    const auto factorised = factorised_sterile_counts(both, m, *backend);
    ASSERT_EQ(direct.size(), a.size());
    ASSERT_EQ(factorised.size(), a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_LT(relative(moments[i], a[i] + b[i]), 1e-12) << i;
      EXPECT_LT(relative(direct[i], a[i] + b[i]), 1e-12) << i;
      EXPECT_LT(relative(factorised[i], a[i] + b[i]), 1e-12) << i;
    }
  }
}

// The shipped two-source detector in a small study of the sterile channels and the couplings.
Study two_source_study() {
  return parse_study(
      Json{{"name", "t"},
           {"detectors", {source_path("configs/detectors/ar_fts_sts.json")}},
           {"scenarios", {"sys15"}},
           {"analysis", {{"binning", "recoil"}, {"bin_width_keV", 8.0}}},
           {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}}},
           {"scans",
            Json::array(
                {{{"name", "numu"},
                  {"channel", "numu"},
                  {"axes",
                   {axis("sin2_2theta", 1e-3, 1, 16, true), axis("dm2_eV2", 1e-2, 1e2, 24, true)}}},
                 {{"name", "nue"},
                  {"channel", "nue"},
                  {"axes",
                   {axis("sin2_2theta", 1e-3, 1, 16, true), axis("dm2_eV2", 1e-2, 1e2, 24, true)}}},
                 {{"name", "nsi"},
                  {"axes",
                   {axis("eps_ee_uV", -1, 1, 12, false), axis("eps_ee_dV", -1, 1, 10, false)}}},
                 {{"name", "zprime"},
                  {"mediator", "vector_universal"},
                  {"axes",
                   {axis("mediator_coupling", 1e-6, 1e-2, 12, true),
                    axis("mediator_mass_MeV", 1e-1, 1e3, 10, true)}}}})}},
      "t.json");
}

std::vector<double> grid(const Study& st, const ScanSpec& scan, Method method, Backend& backend) {
  const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, backend);
  const auto model = make_study_model(det, st, scan, st.scenarios[0], method, backend);
  Progress quiet(Progress::Mode::kQuiet);
  return compute_grid(*model, backend, quiet, "test");
}

TEST(Sources, FactorisedEqualsDirectForATwoSourceDetector) {
  const Study st = two_source_study();
  ASSERT_EQ(st.detectors[0].sources.size(), 2u);
  auto backend = make_cpu_backend();
  for (const auto& scan : st.scans) {
    const auto f = grid(st, scan, Method::kFactorised, *backend);
    const auto d = grid(st, scan, Method::kDirect, *backend);
    ASSERT_EQ(f.size(), d.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < f.size(); ++i)
      worst = std::max(worst, std::fabs(f[i] - d[i]) / std::max(std::fabs(d[i]), 1e-3));
    EXPECT_LT(worst, 1e-9) << scan.name;
  }
}

TEST(Sources, CpuAndCudaAgreeForATwoSourceDetector) {
  if (!cuda_backend_built()) GTEST_SKIP() << "this build has no CUDA backend (no nvcc)";
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA GPU present on this machine";
  const Study st = two_source_study();
  auto cpu = make_cpu_backend();
  auto cuda = make_cuda_backend();
  for (const auto& scan : st.scans)
    for (Method m : {Method::kFactorised, Method::kDirect}) {
      const auto a = grid(st, scan, m, *cpu), b = grid(st, scan, m, *cuda);
      ASSERT_EQ(a.size(), b.size());
      double worst = 0.0;
      for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::fabs(a[i] - b[i]) / std::max(std::fabs(a[i]), 1e-6));
      EXPECT_LT(worst, 1e-12) << scan.name << (m == Method::kDirect ? " direct" : " factorised");
    }
}

// The resolved config records every source with its baseline and protons on target; a study's
// run for the detector sets every source's years, each at its own power.
TEST(Sources, ResolvedConfigRecordsEverySourceAndItsRun) {
  const Json j = {
      {"name", "runs"},
      {"detectors", {source_path("configs/detectors/ar_fts_sts.json")}},
      {"exposures", {{"Ar-FTS+STS", {{"years", 3.0}}}}},
      {"scans",
       {{{"name", "w"}, {"axes", {{{"parameter", "sin2_theta_W"}, {"min", 0.2}, {"max", 0.3},
                                    {"points", 5}}}}}}}};
  const Study st = parse_study(j, "runs.json");
  const DetectorConfig& d = st.detectors.at(0);
  // configs/sources/sns.json: 1.4 MW, 1.177e23 per MW-year; sns_sts.json: 0.7 MW, 8.642e22.
  ASSERT_EQ(d.sources.size(), 2u);
  EXPECT_DOUBLE_EQ(d.sources[0].protons_on_target, 3.0 * 1.4 * 1.177e23);
  EXPECT_DOUBLE_EQ(d.sources[1].protons_on_target, 3.0 * 0.7 * 8.642e22);
  const Json& rec = st.json.at("detectors").at(0).at("sources");
  ASSERT_EQ(rec.size(), 2u);
  EXPECT_EQ(rec[1].at("source").at("name"), "SNS-STS");
  EXPECT_EQ(rec[1].at("baseline_m").get<double>(), 20.0);
  EXPECT_EQ(rec[1].at("exposure").at("beam_power_MW").get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(rec[1].at("protons_on_target").get<double>(), 3.0 * 0.7 * 8.642e22);
  EXPECT_FALSE(st.json.at("detectors").at(0).contains("baseline_m"));
  const Json summary = sources_summary_json(d);
  EXPECT_EQ(summary.at(0).at("name"), "SNS");
  EXPECT_EQ(summary.at(0).at("baseline_m").get<double>(), 29.0);
  // η sums over the sources.
  EXPECT_LT(relative(d.flux_normalisation_per_cm2(),
                     flux_normalisation_per_cm2(0.08, 3.0 * 1.4 * 1.177e23, 29.0) +
                         flux_normalisation_per_cm2(0.08, 3.0 * 0.7 * 8.642e22, 20.0)),
            1e-15);

  Json power = j;
  power["exposures"]["Ar-FTS+STS"]["beam_power_MW"] = 2.0;
  EXPECT_EQ(study_error(power, "runs.json"),
            "runs.json: /exposures/Ar-FTS+STS/beam_power_MW: expected no beam power for "
            "detector \"Ar-FTS+STS\", which sees 2 sources: each source runs at its own (the "
            "beam_power_MW of its exposure in \"sources\", else the source's)");
  Json study_source = j;
  study_source["source"] = source_path("configs/sources/sns.json");
  EXPECT_EQ(study_error(study_source, "runs.json"),
            "runs.json: /source: expected no study-wide source: detector \"Ar-FTS+STS\" "
            "lists its own \"sources\"");
}

TEST(Sources, PerSourceExposures) {
  ScratchDir dir;
  const DetectorConfig d = load_detector_json(
      dir, with_sources("ge72", {{{"source", source("A", 1e22)},
                                  {"baseline_m", 20.0},
                                  {"exposure", {{"years", 2.0}, {"beam_power_MW", 1.5}}}},
                                 {{"source", source("B", 1e22)}, {"baseline_m", 30.0}}}));
  EXPECT_DOUBLE_EQ(d.sources[0].protons_on_target, 2.0 * 1.5 * 1e23);
  EXPECT_EQ(d.sources[1].protons_on_target, 1e22);  // no run: the source's own
}

TEST(Sources, BadSourcesListsAreErrors) {
  ScratchDir dir;
  const std::string f = dir.file("det.json");
  const Json a = {{"source", source("A", 1e23)}, {"baseline_m", 20.0}};
  EXPECT_EQ(detector_load_error(dir, with_sources("ge72", Json::array())),
            f + ": /sources: expected a non-empty array, got []");
  EXPECT_EQ(detector_load_error(dir, with_sources("ge72", {{{"source", source("A", 1e23)}}})),
            f + ": /sources/0/baseline_m: missing required key (expected a positive number)");
  EXPECT_EQ(detector_load_error(dir, with_sources("ge72", {{{"baseline_m", 20.0}}})),
            f + ": /sources/0/source: missing required key");
  EXPECT_EQ(detector_load_error(
                dir, with_sources("ge72",
                                  {a, {{"source", "no_such_source.json"}, {"baseline_m", 20.0}}})),
            f + ": /sources/1/source: \"" + dir.path() +
                "/no_such_source.json\" cannot be read (No such file or directory)");
  EXPECT_EQ(detector_load_error(dir, with_sources("ge72", {a, a})),
            f + ": /sources/1/source: expected sources with distinct names, got \"A\" twice");
  Json b = a;
  b["baseline_spread_m"] = 20.0;
  EXPECT_EQ(detector_load_error(dir, with_sources("ge72", Json::array({b}))),
            f + ": /sources/0/baseline_spread_m: expected a half-width in metres from 0 to less "
                "than baseline_m (20), got 20.0");
  Json five = Json::array();
  for (const char* n : {"A", "B", "C", "D", "E"})
    five.push_back({{"source", source(n, 1e23)}, {"baseline_m", 20.0}});
  EXPECT_EQ(detector_load_error(dir, with_sources("ge72", five)),
            f + ": /sources: expected at most 4 sources, got 5");
  // Both forms.
  for (const char* key : {"source", "baseline_m", "baseline_spread_m", "exposure"}) {
    Json both = with_sources("ge72", Json::array({a}));
    both[key] = std::string(key) == "source"     ? Json(source("S", 1e23))
                : std::string(key) == "exposure" ? Json{{"years", 1.0}}
                                                 : Json(1.0);
    EXPECT_EQ(detector_load_error(dir, both),
              f + ": /" + key + ": expected no \"" + key +
                  "\" beside \"sources\" (each entry of \"sources\" gives its own source, "
                  "baseline_m, baseline_spread_m and exposure)");
  }
}

}  // namespace
}  // namespace cevns
