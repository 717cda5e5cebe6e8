#include "host/data/coherent_data.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numeric>
#include <sstream>

namespace cevns {

namespace {

std::string fmt(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

bool close_to(double a, double b) { return std::fabs(a - b) <= 1e-6 * std::max(1.0, std::fabs(b)); }

std::string join_path(const std::string& dir, const std::string& file) {
  if (!file.empty() && file[0] == '/') return file;
  return dir + "/" + file;
}

// The file ended before `expected` rows: the error points just past its last line.
[[noreturn]] void truncated(const std::string& path, const std::vector<TableRow>& rows,
                            std::size_t expected, const std::string& what) {
  const int line = rows.empty() ? 1 : rows.back().line + 1;
  throw InputError(path, line_label(line),
                   "file ends early: expected " + std::to_string(expected) + " data rows (" + what +
                       "), found " + std::to_string(rows.size()));
}

void check_row_count(const std::string& path, const std::vector<TableRow>& rows,
                     std::size_t expected, const std::string& what) {
  if (rows.size() < expected) truncated(path, rows, expected, what);
  if (rows.size() > expected)
    throw InputError(
        path, line_label(rows[expected].line),
        "unexpected extra row: expected " + std::to_string(expected) + " data rows (" + what + ")");
}

void expect_value(const std::string& path, const TableRow& row, int column, double expected,
                  const std::string& name) {
  if (!close_to(row.values[column], expected))
    throw InputError(path, line_label(row.line),
                     "expected " + name + " " + fmt(expected) + " in column " +
                         std::to_string(column + 1) + ", got " + fmt(row.values[column]));
}

void expect_count(const std::string& path, const TableRow& row, int column) {
  const double v = row.values[column];
  if (!(v >= 0.0) || v != std::floor(v))
    throw InputError(path, line_label(row.line),
                     "expected a non-negative integer count in column " +
                         std::to_string(column + 1) + ", got " + fmt(v));
}

void expect_non_negative(const std::string& path, const TableRow& row, int column) {
  if (!(row.values[column] >= 0.0))
    throw InputError(path, line_label(row.line),
                     "expected a non-negative value in column " + std::to_string(column + 1) +
                         ", got " + fmt(row.values[column]));
}

// A 2-column PDF on equally spaced bin centres.
BinnedPdf read_pdf(const std::string& path, int header_lines = 0) {
  const auto rows = read_numeric_table(path, 2, header_lines);
  if (rows.size() < 2) truncated(path, rows, 2, "at least two bins of \"centre, value\"");
  const double step = rows[1].values[0] - rows[0].values[0];
  if (!(step > 0.0))
    throw InputError(path, line_label(rows[1].line), "expected increasing bin centres");
  BinnedPdf pdf;
  std::vector<double> centres;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    expect_value(path, rows[i], 0, rows[0].values[0] + step * static_cast<double>(i),
                 "equally spaced bin centre");
    expect_non_negative(path, rows[i], 1);
    centres.push_back(rows[i].values[0]);
    pdf.values.push_back(rows[i].values[1]);
  }
  pdf.edges = edges_from_centres(centres);
  return pdf;
}

std::vector<std::vector<double>> read_coefficients(const std::string& path) {
  const auto rows = read_numeric_table(path, 4);
  if (rows.empty()) truncated(path, rows, 1, "a nominal row of coefficients a b c d");
  std::vector<std::vector<double>> out;
  for (const auto& r : rows) out.push_back(r.values);
  return out;
}

std::vector<Event> read_events(const std::string& path) {
  const auto rows = read_numeric_table(path, 2);
  if (rows.empty()) truncated(path, rows, 1, "at least one event \"PE time\"");
  std::vector<Event> events;
  events.reserve(rows.size());
  for (const auto& r : rows) {
    expect_non_negative(path, r, 0);
    events.push_back(Event{r.values[0], r.values[1]});
  }
  return events;
}

}  // namespace

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

std::vector<double> edges_from_centres(const std::vector<double>& centres) {
  const std::size_t n = centres.size();
  std::vector<double> edges(n + 1);
  const double step = centres[1] - centres[0];
  for (std::size_t i = 0; i < n; ++i) edges[i] = centres[i] - 0.5 * step;
  edges[n] = centres[n - 1] + 0.5 * step;
  return edges;
}

// ---------------------------------------------------------------------------------------------
Csi2017Release load_csi2017(const std::string& data_dir, const Csi2017Files& files) {
  // PROVENANCE.md: 25 PE bins (centres 1, 3, …, 49) × 24 time bins (0.25 … 11.75 µs), PE slowest.
  constexpr int kPe = 25, kTime = 24;
  const std::string grid_what = "25 PE bins x 24 time bins, PE slowest";
  Csi2017Release r;
  for (int i = 0; i <= kPe; ++i) r.pe_edges.push_back(2.0 * i);
  for (int i = 0; i <= kTime; ++i) r.time_edges_us.push_back(0.5 * i);

  const auto read_grid = [&](const std::string& file, std::vector<double>* out) {
    const std::string path = join_path(data_dir, file);
    const auto rows = read_numeric_table(path, 3, 1);
    check_row_count(path, rows, kPe * kTime, grid_what);
    for (int i = 0; i < kPe * kTime; ++i) {
      expect_value(path, rows[i], 0, 1.0 + 2.0 * (i / kTime), "PE bin centre");
      expect_value(path, rows[i], 1, 0.25 + 0.5 * (i % kTime), "arrival-time bin centre (us)");
      expect_count(path, rows[i], 2);
      out->push_back(rows[i].values[2]);
    }
  };
  read_grid(files.coincidence_beam_on, &r.c_on);
  read_grid(files.anticoincidence_beam_on, &r.ac_on);
  read_grid(files.coincidence_beam_off, &r.c_off);
  read_grid(files.anticoincidence_beam_off, &r.ac_off);

  const auto read_time = [&](const std::string& file, std::vector<double>* out) {
    const std::string path = join_path(data_dir, file);
    const auto rows = read_numeric_table(path, 2);
    check_row_count(path, rows, kTime, "24 arrival-time bins, 0.25 ... 11.75 us");
    for (int i = 0; i < kTime; ++i) {
      expect_value(path, rows[i], 0, 0.25 + 0.5 * i, "arrival-time bin centre (us)");
      expect_non_negative(path, rows[i], 1);
      out->push_back(rows[i].values[1]);
    }
  };
  read_time(files.prompt_neutrino_time, &r.prompt_neutrino_time);
  read_time(files.delayed_neutrino_time, &r.delayed_neutrino_time);
  read_time(files.prompt_neutron_time, &r.prompt_neutron_time);

  {
    const std::string path = join_path(data_dir, files.prompt_neutron_pe);
    const auto rows = read_numeric_table(path, 2);
    check_row_count(path, rows, 50, "50 1-PE bins, centres 0.5 ... 49.5");
    for (int i = 0; i < 50; ++i) {
      expect_value(path, rows[i], 0, 0.5 + i, "PE bin centre");
      expect_non_negative(path, rows[i], 1);
      r.prompt_neutron_pe_edges.push_back(i);
      r.prompt_neutron_per_GWh.push_back(rows[i].values[1]);
    }
    r.prompt_neutron_pe_edges.push_back(50.0);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
Csi2021Release load_csi2021(const std::string& data_dir, const Csi2021Files& files) {
  Csi2021Release r;
  r.coincidence = read_events(join_path(data_dir, files.coincidence_beam_on));
  r.anticoincidence = read_events(join_path(data_dir, files.anticoincidence_beam_on));
  r.brn_pe = read_pdf(join_path(data_dir, files.brn_pe));
  r.brn_time = read_pdf(join_path(data_dir, files.brn_time));
  r.nin_pe = read_pdf(join_path(data_dir, files.nin_pe));
  r.nin_time = read_pdf(join_path(data_dir, files.nin_time));
  r.efficiency = read_coefficients(join_path(data_dir, files.efficiency));
  r.scintillation = read_coefficients(join_path(data_dir, files.scintillation));
  return r;
}

std::vector<double> histogram_events(const std::vector<Event>& events,
                                     const std::vector<double>& pe_edges,
                                     const std::vector<double>& time_edges_us) {
  const std::size_t np = pe_edges.size() - 1, nt = time_edges_us.size() - 1;
  std::vector<double> h(np * nt, 0.0);
  const auto find = [](const std::vector<double>& edges, double x) -> long {
    if (x < edges.front() || x >= edges.back()) return -1;
    return static_cast<long>(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin()) - 1;
  };
  for (const Event& e : events) {
    const long i = find(pe_edges, e.pe), j = find(time_edges_us, e.time_us);
    if (i >= 0 && j >= 0) h[static_cast<std::size_t>(i) * nt + j] += 1.0;
  }
  return h;
}

double pdf_content(const BinnedPdf& pdf, double lo, double hi) {
  double s = 0.0;
  for (std::size_t i = 0; i < pdf.values.size(); ++i) {
    const double a = std::max(lo, pdf.edges[i]), b = std::min(hi, pdf.edges[i + 1]);
    if (b > a) s += pdf.values[i] * (b - a) / (pdf.edges[i + 1] - pdf.edges[i]);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
Lar2020Release load_lar2020(const std::string& data_dir, const Lar2020Files& files) {
  // PROVENANCE.md: 12 energy bins (5 … 115 keVee) × 8 F90 bins (0.525 … 0.875) × 10 time bins
  // (0.15 … 4.65 µs), energy slowest, time fastest.
  constexpr int kE = 12, kF = 8, kT = 10;
  const std::string grid_what = "12 energy x 8 F90 x 10 time bins, time fastest";
  Lar2020Release r;
  for (int i = 0; i <= kE; ++i) r.energy_edges_keVee.push_back(10.0 * i);
  for (int i = 0; i <= kF; ++i) r.f90_edges.push_back(0.5 + 0.05 * i);
  for (int i = 0; i <= kT; ++i) r.time_edges_us.push_back(-0.1 + 0.5 * i);

  const auto read_grid = [&](const std::string& file, bool counts, std::vector<double>* out) {
    const std::string path = join_path(data_dir, file);
    const auto rows = read_numeric_table(path, 4);
    check_row_count(path, rows, kE * kF * kT, grid_what);
    for (int i = 0; i < kE * kF * kT; ++i) {
      expect_value(path, rows[i], 0, 5.0 + 10.0 * (i / (kF * kT)), "energy bin centre (keVee)");
      expect_value(path, rows[i], 1, 0.525 + 0.05 * ((i / kT) % kF), "F90 bin centre");
      expect_value(path, rows[i], 2, 0.15 + 0.5 * (i % kT), "time bin centre (us)");
      if (counts)
        expect_count(path, rows[i], 3);
      else
        expect_non_negative(path, rows[i], 3);
      out->push_back(rows[i].values[3]);
    }
  };
  read_grid(files.cevns, false, &r.cevns);
  read_grid(files.brn, false, &r.brn);
  read_grid(files.delayed_brn, false, &r.delayed_brn);
  read_grid(files.steady_state, false, &r.steady_state);
  read_grid(files.data, true, &r.data);

  const std::string path = join_path(data_dir, files.efficiency);
  const auto rows = read_numeric_table(path, 3);
  if (rows.size() < 2) truncated(path, rows, 2, "at least two rows \"keVee keVnr efficiency\"");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0 && !(rows[i].values[0] > rows[i - 1].values[0]))
      throw InputError(path, line_label(rows[i].line), "expected increasing keVee bin centres");
    const double e = rows[i].values[2];
    if (!(e >= 0.0 && e <= 1.0))
      throw InputError(path, line_label(rows[i].line),
                       "expected an efficiency between 0 and 1 in column 3, got " + fmt(e));
    r.efficiency_keVee.push_back(rows[i].values[0]);
    r.efficiency_keVnr.push_back(rows[i].values[1]);
    r.efficiency.push_back(e);
  }
  return r;
}

}  // namespace cevns
