// Loaders of the COHERENT releases: exact messages for malformed and truncated files (synthetic
// files in a scratch directory), and the documented totals of the real releases (skipped when
// the shared data directory is absent).
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>
#include <string>

#include "host/data/coherent_data.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::ScratchDir;

std::string grid_2017(int rows, const std::string& replace_line2 = "") {
  std::ostringstream s;
  for (int i = 0; i < rows; ++i) {
    if (i == 1 && !replace_line2.empty()) {
      s << replace_line2 << "\n";
      continue;
    }
    s << 1.0 + 2.0 * (i / 24) << ", " << 0.25 + 0.5 * (i % 24) << ", " << (i % 3) << "\n";
  }
  return s.str();
}

// A complete, valid, synthetic CsI 2017 release under dir/csi2017.
void write_synthetic_2017(const ScratchDir& dir) {
  std::system(("mkdir -p '" + dir.file("csi2017") + "'").c_str());
  const Csi2017Files f;
  dir.write(f.coincidence_beam_on, grid_2017(600));
  dir.write(f.anticoincidence_beam_on, grid_2017(600));
  dir.write(f.coincidence_beam_off,
            "Photoelectrons (PEs),Arrival time (us),Counts\n" + grid_2017(600));
  dir.write(f.anticoincidence_beam_off,
            "Photoelectrons (PEs),Arrival time (us),Counts\n" + grid_2017(600));
  std::ostringstream t, p;
  for (int i = 0; i < 24; ++i) t << 0.25 + 0.5 * i << ", " << 1.0 / 24 << "\n";
  for (int i = 0; i < 50; ++i) p << 0.5 + i << ", 0.1\n";
  dir.write(f.prompt_neutrino_time, t.str());
  dir.write(f.delayed_neutrino_time, t.str());
  dir.write(f.prompt_neutron_time, t.str());
  dir.write(f.prompt_neutron_pe, "# bin center, bin contents\n" + p.str());
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Csi2017Loader, ReadsAValidSyntheticRelease) {
  ScratchDir dir;
  write_synthetic_2017(dir);
  const Csi2017Release r = load_csi2017(dir.path());
  EXPECT_EQ(r.n_pe(), 25);
  EXPECT_EQ(r.n_time(), 24);
  EXPECT_EQ(sum(r.c_on), 600.0);  // 0, 1, 2 repeating: 200 × 3
  EXPECT_EQ(sum(r.ac_off), 600.0);
}

TEST(Csi2017Loader, RejectsALineWithAMissingColumn) {
  ScratchDir dir;
  write_synthetic_2017(dir);
  const std::string path =
      dir.write("csi2017/data_coincidence_beamOn.txt", grid_2017(600, "1.0, 0.75"));
  EXPECT_EQ(message_of([&] { load_csi2017(dir.path()); }),
            path + ": line 2: expected 3 numbers separated by commas or spaces, got \"1.0, 0.75\"");
}

TEST(Csi2017Loader, RejectsATruncatedFile) {
  ScratchDir dir;
  write_synthetic_2017(dir);
  const std::string path = dir.write("csi2017/data_anticoincidence_beamOn.txt", grid_2017(599));
  EXPECT_EQ(message_of([&] { load_csi2017(dir.path()); }),
            path +
                ": line 600: file ends early: expected 600 data rows (25 PE bins x 24 time bins, "
                "PE slowest), found 599");
}

TEST(Csi2017Loader, RejectsAMisplacedGridPoint) {
  ScratchDir dir;
  write_synthetic_2017(dir);
  const std::string path =
      dir.write("csi2017/data_coincidence_beamOn.txt", grid_2017(600, "1.0, 1.25, 3"));
  EXPECT_EQ(message_of([&] { load_csi2017(dir.path()); }),
            path + ": line 2: expected arrival-time bin centre (us) 0.75 in column 2, got 1.25");
}

TEST(Csi2017Loader, RejectsANonIntegerCount) {
  ScratchDir dir;
  write_synthetic_2017(dir);
  const std::string path =
      dir.write("csi2017/data_coincidence_beamOn.txt", grid_2017(600, "1.0, 0.75, 2.5"));
  EXPECT_EQ(message_of([&] { load_csi2017(dir.path()); }),
            path + ": line 2: expected a non-negative integer count in column 3, got 2.5");
}

TEST(Csi2021Loader, RejectsAnEventWithOneNumber) {
  ScratchDir dir;
  const std::string path =
      dir.write("events.txt", "# List of selected events\n# PE, time\n12.5 1.0\n13.25\n");
  EXPECT_EQ(message_of([&] { read_numeric_table(path, 2); }),
            path + ": line 4: expected 2 numbers separated by commas or spaces, got \"13.25\"");
}

TEST(Lar2020Loader, RejectsATruncatedPdf) {
  ScratchDir dir;
  std::system(("mkdir -p '" + dir.file("lar2020") + "'").c_str());
  std::ostringstream s;
  for (int i = 0; i < 959; ++i)
    s << 5 + 10 * (i / 80) << " " << 0.525 + 0.05 * ((i / 10) % 8) << " " << 0.15 + 0.5 * (i % 10)
      << " 1\n";
  const std::string path = dir.write("lar2020/cevnspdf.txt", s.str());
  EXPECT_EQ(message_of([&] { load_lar2020(dir.path()); }),
            path +
                ": line 960: file ends early: expected 960 data rows (12 energy x 8 F90 x 10 time "
                "bins, time fastest), found 959");
}

TEST(DataDir, CommandLineWinsOverEnvironmentWhichWinsOverConfig) {
  const char* old = std::getenv("CEVNS_DATA");
  const std::string saved = old ? old : "";
  setenv("CEVNS_DATA", "/env", 1);
  EXPECT_EQ(*choose_data_dir(std::string("/cli"), std::string("/cfg")), "/cli");
  EXPECT_EQ(*choose_data_dir(std::nullopt, std::string("/cfg")), "/env");
  unsetenv("CEVNS_DATA");
  EXPECT_EQ(*choose_data_dir(std::nullopt, std::string("/cfg")), "/cfg");
  EXPECT_FALSE(choose_data_dir(std::nullopt, std::nullopt).has_value());
  if (old) setenv("CEVNS_DATA", saved.c_str(), 1);
}

// ---------------------------------------------------------------------------------------------
// The real releases (PROVENANCE.md).

// (Without the data the loaders are still tested on the synthetic files above.)
#define SKIP_WITHOUT_DATA() CEVNS_SKIP_WITHOUT_DATA("csi2017")

TEST(CoherentReleases, CsI2017HasTheDocumentedTotals) {
  SKIP_WITHOUT_DATA();
  const Csi2017Release r = load_csi2017(CEVNS_SHARED_DATA_DIR);
  EXPECT_EQ(sum(r.c_on) + sum(r.ac_on), 2239.0);  // PROVENANCE.md
  EXPECT_EQ(sum(r.c_on), 1207.0);
  EXPECT_EQ(sum(r.ac_on), 1032.0);
  EXPECT_EQ(sum(r.c_off), 507.0);
  EXPECT_EQ(sum(r.ac_off), 507.0);
  EXPECT_NEAR(sum(r.prompt_neutrino_time), 1.0, 1e-9);
  EXPECT_NEAR(sum(r.delayed_neutrino_time), 1.0, 1e-9);
  EXPECT_NEAR(sum(r.prompt_neutron_time), 1.0, 1e-9);
}

TEST(CoherentReleases, CsI2021HasItsEventsAndPdfNormalisations) {
  SKIP_WITHOUT_DATA();
  const Csi2021Release r = load_csi2021(CEVNS_SHARED_DATA_DIR);
  EXPECT_EQ(r.coincidence.size(), 5142u);
  EXPECT_EQ(r.anticoincidence.size(), 4890u);
  EXPECT_EQ(histogram_events(r.coincidence, {0, 60}, {0, 6})[0], 1578.0);
  EXPECT_NEAR(sum(r.brn_pe.values), 1.498, 1e-3);  // PROVENANCE.md: 1.498 over 0–250 PE
  EXPECT_NEAR(pdf_content(r.brn_pe, 0, 60), 1.0, 1e-4);
  EXPECT_EQ(r.efficiency.size(), 3u);
  EXPECT_EQ(r.scintillation.size(), 5u);
  EXPECT_DOUBLE_EQ(r.efficiency[0][0], 1.32045);
  EXPECT_DOUBLE_EQ(r.scintillation[0][3], 840.384);
}

TEST(CoherentReleases, Lar2020PdfsCarryThePredictedCounts) {
  SKIP_WITHOUT_DATA();
  const Lar2020Release r = load_lar2020(CEVNS_SHARED_DATA_DIR);
  EXPECT_EQ(sum(r.data), 3752.0);
  EXPECT_NEAR(sum(r.cevns), 128.0, 0.5);  // LArParametersAnlA.yaml: 128 predicted
  EXPECT_NEAR(sum(r.brn), 497.0, 0.5);
  EXPECT_NEAR(sum(r.delayed_brn), 33.0, 0.5);
  EXPECT_NEAR(sum(r.steady_state), 3152.0, 1.0);  // the yaml says 3154
}

}  // namespace
}  // namespace cevns
