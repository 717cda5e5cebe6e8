#include <cstdio>
#include <iostream>
#include <optional>

#include "host/cli/commands.hpp"
#include "host/config/config.hpp"
#include "host/engine/backend_select.hpp"
#include "host/engine/quadrature.hpp"
#include "host/engine/rates.hpp"
#include "host/io/h5io.hpp"
#include "host/io/scan_output.hpp"

namespace cevns {

namespace {

const char* kFluxKeys[kNumFluxes] = {"nu_mu", "nu_mu_bar", "nu_e"};
const char* kFluxLabels[kNumFluxes] = {"prompt nu_mu", "delayed nu_mu_bar", "delayed nu_e"};

int form_factor_model(const std::string& option, const std::string& name) {
  if (name == "helm") return kHelm;
  if (name == "symmetrized_fermi") return kSymmetrizedFermi;
  if (name == "klein_nystrand") return kKleinNystrand;
  throw InputError(option, "",
                   "expected helm, symmetrized_fermi or klein_nystrand, got \"" + name + "\"");
}

void apply_overrides(const RatesOptions& o, DetectorConfig* d) {
  if (o.proton_form_factor) {
    d->proton_form_factor.model = form_factor_model("--ff-proton", *o.proton_form_factor);
    d->proton_form_factor.shape_fm = default_shape_fm(d->proton_form_factor.model);
    d->json["form_factors"]["proton"] = *o.proton_form_factor;
  }
  if (o.neutron_form_factor) {
    d->neutron_form_factor.model = form_factor_model("--ff-neutron", *o.neutron_form_factor);
    d->neutron_form_factor.shape_fm = default_shape_fm(d->neutron_form_factor.model);
    d->json["form_factors"]["neutron"] = *o.neutron_form_factor;
  }
  if (o.neutron_radius_fm) {
    for (std::size_t i = 0; i < d->isotopes.size(); ++i) {
      d->isotopes[i].neutron_rms_radius_fm = *o.neutron_radius_fm;
      d->json["isotopes"][i]["neutron_rms_radius_fm"] = *o.neutron_radius_fm;
    }
  }
  if (o.kinematic_correction) {
    d->kinematic_correction = *o.kinematic_correction;
    d->json["kinematic_correction"] = *o.kinematic_correction;
  }
  if (o.bin_width_keV) {
    check_recoil_bin_count(*d, *o.bin_width_keV, "--bin-width", "");
    d->bin_width_keV = *o.bin_width_keV;
  }
  for (const auto& iso : d->isotopes) {
    for (const auto* ff : {&d->proton_form_factor, &d->neutron_form_factor}) {
      const double r =
          ff == &d->proton_form_factor ? iso.proton_rms_radius_fm : iso.neutron_rms_radius_fm;
      if (model_radius_squared_fm2(ff->model, r, ff->shape_fm) <= 0.0)
        throw InputError(d->file, "",
                         "rms radius " + std::to_string(r) + " fm of " + iso.name +
                             " is too small for the chosen form factor");
    }
  }
}

}  // namespace

int run_rates(const RatesOptions& options) {
  check_options(options);
  DetectorConfig detector = load_detector(options.detector_file);
  apply_overrides(options, &detector);
  auto backend = select_backend(options.backend);
  const auto edges = recoil_bin_edges_keV(detector, detector.bin_width_keV);
  std::optional<h5::File> file;
  if (!options.output.empty()) file.emplace(h5::File::create(options.output));
  const RatesResult r = compute_rates(detector, edges, standard_model(), *backend);
  const std::vector<double> bins = r.bin_counts();
  if (file) {
    Json config = detector.json;
    config["bin_width_keV"] = detector.bin_width_keV;
    write_provenance(file->root(), Provenance{options.command_line, backend->name(), config},
                     "rates");
    write_rates_group(file->root().group(detector.name), r, detector);
    file->root().set_attr("complete", 1LL);
    file->commit();
  }

  if (options.json) {
    Json out;
    out["detector"] = r.detector;
    if (!detector.sources.empty()) out["sources"] = sources_summary_json(detector);  // SPEC §12
    out["total"] = r.total();
    for (int f = 0; f < kNumFluxes; ++f) out["by_flavor"][kFluxKeys[f]] = r.flux_total(f);
    for (std::size_t i = 0; i < r.isotopes.size(); ++i)
      out["by_isotope"][r.isotopes[i]] = r.isotope_total(static_cast<int>(i));
    out["bins"]["edges_keV"] = r.edges_keV;
    out["bins"]["counts"] = bins;
    std::cout << out.dump(2) << "\n";
    return 0;
  }

  std::printf("%s (%s), backend %s\n", detector.name.c_str(), detector.file.c_str(),
              backend->name().c_str());
  if (detector.sources.empty()) {
    std::printf("  %.4g kg at %.4g m, threshold %.4g keV, %.4g POT x %.4g nu/flavour/POT%s\n",
                detector.mass_kg, detector.baseline_m, detector.threshold_keV,
                detector.protons_on_target, detector.source.nu_per_flavour_per_pot,
                detector.kinematic_correction ? ", with g_c" : "");
  } else {  // SPEC §12: several sources, each at its own baseline and exposure
    std::printf("  %.4g kg, threshold %.4g keV%s\n", detector.mass_kg, detector.threshold_keV,
                detector.kinematic_correction ? ", with g_c" : "");
    for (const DetectorSource& s : detector.sources)
      std::printf("  source %s at %.4g m: %.4g POT x %.4g nu/flavour/POT\n", s.source.name.c_str(),
                  s.baseline_m, s.protons_on_target, s.source.nu_per_flavour_per_pot);
  }
  std::printf("  total expected events  %12.4f\n", r.total());
  for (int f = 0; f < kNumFluxes; ++f)
    std::printf("    %-20s %12.4f\n", kFluxLabels[f], r.flux_total(f));
  for (std::size_t i = 0; i < r.isotopes.size(); ++i)
    std::printf("    %-20s %12.4f\n", r.isotopes[i].c_str(), r.isotope_total(static_cast<int>(i)));
  std::printf("  recoil spectrum (true nuclear recoil energy)\n  %10s %10s %12s\n", "T_lo/keV",
              "T_hi/keV", "events");
  for (int b = 0; b < r.n_bins(); ++b)
    std::printf("  %10.3f %10.3f %12.5f\n", r.edges_keV[b], r.edges_keV[b + 1], bins[b]);
  return 0;
}

}  // namespace cevns
