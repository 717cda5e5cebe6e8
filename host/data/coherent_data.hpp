// Loaders for the public COHERENT data releases (formats: shared/data/coherent/PROVENANCE.md):
//  - csi2017: CsI[Na] first observation (Zenodo 1228631; arXiv:1708.01294, 1804.09459);
//  - csi2021: CsI[Na] full data set (arXiv:2110.07730 ancillary files);
//  - lar2020: CENNS-10 liquid argon, analysis A (Zenodo 3903810; arXiv:2003.10630, 2006.12659).
// Every loader checks the file line by line: a malformed line, a missing or misplaced grid point
// or a truncated file is an InputError naming the file, the line ("line 12") and what was
// expected. Data files are read in place from the data directory, never copied.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/core/error.hpp"
#include "host/core/text_table.hpp"

namespace cevns {

// Edges of equal-width bins from their centres (at least two, equally spaced).
std::vector<double> edges_from_centres(const std::vector<double>& centres);

// ---------------------------------------------------------------------------------------------
// CsI 2017.
struct Csi2017Files {
  std::string coincidence_beam_on = "csi2017/data_coincidence_beamOn.txt";
  std::string anticoincidence_beam_on = "csi2017/data_anticoincidence_beamOn.txt";
  std::string coincidence_beam_off = "csi2017/data_coincidence_beamOff.txt";
  std::string anticoincidence_beam_off = "csi2017/data_anticoincidence_beamOff.txt";
  std::string prompt_neutrino_time = "csi2017/arrivalTimePDF_promptNeutrinos.txt";
  std::string delayed_neutrino_time = "csi2017/arrivalTimePDF_delayedNeutrinos.txt";
  std::string prompt_neutron_time = "csi2017/arrivalTimePDF_promptNeutrons.txt";
  std::string prompt_neutron_pe = "csi2017/promptPDF.txt";
};

struct Csi2017Release {
  // Grid of the four data files: PE bin centres 1, 3, …, 49 (2-PE bins, edges 0 … 50) ×
  // arrival-time centres 0.25, 0.75, …, 11.75 µs (0.5-µs bins, edges 0 … 12), PE slowest.
  std::vector<double> pe_edges, time_edges_us;
  std::vector<double> c_on, ac_on, c_off, ac_off;  // counts [pe][time]
  // Arrival-time PDFs on the same time bins.
  std::vector<double> prompt_neutrino_time, delayed_neutrino_time, prompt_neutron_time;
  // Prompt-neutron PE spectrum per GW·hr, 1-PE bins (centres 0.5 … 49.5).
  std::vector<double> prompt_neutron_pe_edges, prompt_neutron_per_GWh;
  int n_pe() const { return static_cast<int>(pe_edges.size()) - 1; }
  int n_time() const { return static_cast<int>(time_edges_us.size()) - 1; }
};

Csi2017Release load_csi2017(const std::string& data_dir, const Csi2017Files& files = {});

// ---------------------------------------------------------------------------------------------
// CsI 2021.
struct Csi2021Files {
  std::string coincidence_beam_on = "csi2021/dataBeamOnC.txt";
  std::string anticoincidence_beam_on = "csi2021/dataBeamOnAC.txt";
  std::string brn_pe = "csi2021/brnPE.txt";
  std::string brn_time = "csi2021/brnTrec.txt";
  std::string nin_pe = "csi2021/ninPE.txt";
  std::string nin_time = "csi2021/ninTrec.txt";
  std::string efficiency = "csi2021/effCoefficients.txt";
  std::string scintillation = "csi2021/scintRespCoefficients.txt";
};

struct Event {
  double pe, time_us;
};

struct BinnedPdf {
  std::vector<double> edges, values;  // equal-width bins rebuilt from the file's centres
};

struct Csi2021Release {
  std::vector<Event> coincidence, anticoincidence;
  BinnedPdf brn_pe, brn_time, nin_pe, nin_time;
  std::vector<std::vector<double>> efficiency;     // rows of (a, b, c, d); row 0 nominal
  std::vector<std::vector<double>> scintillation;  // rows of (a, b, c, d) in MeV; row 0 nominal
};

Csi2021Release load_csi2021(const std::string& data_dir, const Csi2021Files& files = {});

// Histogram of events in (PE, time): [pe bin][time bin], lower edges inclusive.
std::vector<double> histogram_events(const std::vector<Event>& events,
                                     const std::vector<double>& pe_edges,
                                     const std::vector<double>& time_edges_us);

// Content of a binned PDF in [lo, hi) assuming a flat density within each source bin.
double pdf_content(const BinnedPdf& pdf, double lo, double hi);

// ---------------------------------------------------------------------------------------------
// CENNS-10 LAr 2020 (analysis A).
struct Lar2020Files {
  std::string cevns = "lar2020/cevnspdf.txt";
  std::string brn = "lar2020/brnpdf.txt";
  std::string delayed_brn = "lar2020/delbrnpdf.txt";
  std::string steady_state = "lar2020/bkgpdf.txt";
  std::string data = "lar2020/datanobkgsub.txt";
  std::string efficiency = "lar2020/CENNS10AnlAEfficiency.txt";
};

struct Lar2020Release {
  // Grid: energy centres 5 … 115 keVee (10-keVee bins) × F90 0.525 … 0.875 (0.05) × time
  // 0.15 … 4.65 µs (0.5 µs), energy slowest, time fastest.
  std::vector<double> energy_edges_keVee, f90_edges, time_edges_us;
  std::vector<double> cevns, brn, delayed_brn, steady_state, data;  // [energy][f90][time]
  std::vector<double> efficiency_keVee, efficiency_keVnr, efficiency;
  int n_energy() const { return static_cast<int>(energy_edges_keVee.size()) - 1; }
  int n_f90() const { return static_cast<int>(f90_edges.size()) - 1; }
  int n_time() const { return static_cast<int>(time_edges_us.size()) - 1; }
};

Lar2020Release load_lar2020(const std::string& data_dir, const Lar2020Files& files = {});

double sum(const std::vector<double>& v);

}  // namespace cevns
