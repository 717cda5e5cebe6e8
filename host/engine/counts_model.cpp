#include "host/engine/counts_model.hpp"

#include <stdexcept>

#include "kernels/couplings.hpp"
#include "kernels/mediators.hpp"
#include "kernels/oscillation.hpp"
#include "kernels/radius_tables.hpp"
#include "kernels/scan_point.hpp"

namespace cevns {

FoldView fold_view(const FoldTables& f) {
  return FoldView{f.response.data(),      f.n_true,  f.n_energy, f.weight.data(),
                  f.energy_of_bin.data(), f.n_bins()};
}

CountsModel::CountsModel(std::shared_ptr<const RateProblem> problem,
                         std::shared_ptr<const std::vector<Moments>> moments, double efficiency,
                         FoldTables fold)
    : problem_(std::move(problem)),
      moments_(std::move(moments)),
      efficiency_(efficiency),
      fold_(std::move(fold)) {}

CountsModel CountsModel::with_efficiency(double efficiency) const {
  return CountsModel(problem_, moments_, efficiency, fold_);
}

CountsModel CountsModel::with_fold(FoldTables fold) const {
  return CountsModel(problem_, moments_, efficiency_, std::move(fold));
}

int CountsModel::n_bins() const { return fold_.empty() ? problem_->n_bins() : fold_.n_bins(); }

// Without a fold the source bins are the recoil bins (all fluxes together); with one they are
// (flux, true-recoil bin), the rows of the response.
int CountsModel::n_sources() const {
  return fold_.empty() ? problem_->n_bins() : kNumFluxes * problem_->n_bins();
}

int CountsModel::source_of(const QuadEntry& q) const {
  return fold_.empty() ? q.bin : q.flux * problem_->n_bins() + q.bin;
}

std::vector<double> fold_to_bins(const FoldTables& fold, const std::vector<double>& source) {
  if (fold.empty()) return source;
  const FoldView f = fold_view(fold);
  std::vector<double> energy(static_cast<std::size_t>(kNumFluxes) * f.n_energy);
  for (int flux = 0; flux < kNumFluxes; ++flux)
    for (int j = 0; j < f.n_energy; ++j)
      energy[static_cast<std::size_t>(flux) * f.n_energy + j] =
          fold_energy(f, source.data(), flux, j);
  std::vector<double> out(f.n_bins);
  for (int u = 0; u < f.n_bins; ++u) out[u] = fold_bin(f, energy.data(), u);
  return out;
}

std::vector<double> CountsModel::counts(const PhysicsModel& given) const {
  const PhysicsModel model = in_scheme(given);
  NucleonCharges charges[kNumFluxes];
  for (int f = 0; f < kNumFluxes; ++f) charges[f] = nucleon_charges(model, flux_flavour(f));
  const RateProblem& p = *problem_;
  std::vector<double> source(n_sources(), 0.0);
  if (mediator_active(model)) {
    const RateView v = p.host_view();
    for (std::size_t e = 0; e < p.entries.size(); ++e)
      source[source_of(p.entries[e])] += efficiency_ * entry_direct(v, static_cast<int>(e), model);
    return fold_sources(source);
  }
  const auto moments = moments_at(model);
  for (std::size_t e = 0; e < p.entries.size(); ++e) {
    const QuadEntry& q = p.entries[e];
    source[source_of(q)] += efficiency_ * charge_weighted(charges[q.flux], (*moments)[e]) *
                            survival_probability(model, q.flux, p.baselines, q.energy_MeV);
  }
  return fold_sources(source);
}

std::vector<IsotopeTarget> CountsModel::isotopes_at(const PhysicsModel& model) const {
  std::vector<IsotopeTarget> out = problem_->isotopes;
  for (auto& iso : out) iso.neutron = model_neutron_form_factor(iso, model);
  return out;
}

bool CountsModel::sets_neutron_radius(const PhysicsModel& model) const {
  for (const auto& iso : problem_->isotopes)
    if (model_neutron_form_factor(iso, model).radius_fm != iso.neutron.radius_fm) return true;
  return false;
}

std::shared_ptr<const std::vector<Moments>> CountsModel::moments_at(
    const PhysicsModel& model) const {
  if (!sets_neutron_radius(model)) return moments_;
  const std::vector<IsotopeTarget> isotopes = isotopes_at(model);
  RateView v = problem_->host_view();
  v.isotopes = isotopes.data();
  auto out = std::make_shared<std::vector<Moments>>(problem_->entries.size());
  for (std::size_t e = 0; e < out->size(); ++e) (*out)[e] = entry_moments(v, static_cast<int>(e));
  return out;
}

std::vector<Moments> CountsModel::radius_rows(Backend& backend,
                                              const std::vector<IsotopeTarget>& isotope_rows,
                                              const std::vector<int>& mask) const {
  const std::vector<Moments> recoil =
      backend.radius_tables(*problem_, isotope_rows, mask, efficiency_);
  if (fold_.empty()) return recoil;
  const std::size_t per_row = static_cast<std::size_t>(kNumFluxes) * problem_->n_bins();
  const std::size_t rows = isotope_rows.size() / problem_->isotopes.size();
  std::vector<Moments> out;
  out.reserve(rows * kNumFluxes * n_bins());
  for (std::size_t r = 0; r < rows; ++r) {
    const std::vector<Moments> row(recoil.begin() + r * per_row,
                                   recoil.begin() + (r + 1) * per_row);
    const std::vector<Moments> folded = fold_moments(row);
    out.insert(out.end(), folded.begin(), folded.end());
  }
  return out;
}

std::vector<Moments> CountsModel::radius_row(const std::vector<IsotopeTarget>& isotopes,
                                             const std::vector<int>& mask) const {
  const RateProblem& p = *problem_;
  const RateView v = p.host_view();
  const int nt = p.n_bins(), n_t = v.n_t;
  std::vector<RadiusNode> nodes(p.entries.size() * n_t);
  std::vector<double> scale(p.entries.size());
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const int e = static_cast<int>(k / n_t), j = static_cast<int>(k % n_t);
    nodes[k] = radius_node(v, e, j);
    if (j == 0) scale[e] = radius_entry_scale(v, e);
  }
  std::vector<int> group, first;
  radius_node_groups(p.entries, &group, &first);
  std::vector<Moments> groups(first.size(), Moments{0.0, 0.0, 0.0, 0.0});
  for (std::size_t g = 0; g < first.size(); ++g) {
    const int i = p.entries[first[g]].isotope;
    if (mask[i] != 0) groups[g] = radius_group_moments(nodes.data(), n_t, first[g], isotopes[i]);
  }
  std::vector<Moments> per_flux(static_cast<std::size_t>(kNumFluxes) * nt);
  for (int b = 0; b < nt; ++b) {
    Moments m[kNumFluxes];
    radius_row_bin_moments(groups.data(), group.data(), scale.data(), p.entries.data(),
                           p.bin_offsets.data(), b, mask.data(), efficiency_, m);
    for (int f = 0; f < kNumFluxes; ++f) per_flux[static_cast<std::size_t>(f) * nt + b] = m[f];
  }
  return fold_moments(per_flux);
}

std::vector<Moments> CountsModel::quadratic_table() const {
  const RateProblem& p = *problem_;
  const int nt = p.n_bins();
  // Moments per (flux, recoil bin), efficiency applied.
  std::vector<Moments> per_flux(static_cast<std::size_t>(kNumFluxes) * nt, Moments{0, 0, 0, 0});
  for (std::size_t e = 0; e < p.entries.size(); ++e) {
    const QuadEntry& q = p.entries[e];
    Moments& t = per_flux[static_cast<std::size_t>(q.flux) * nt + q.bin];
    t.zz += efficiency_ * (*moments_)[e].zz;
    t.zn += efficiency_ * (*moments_)[e].zn;
    t.nn += efficiency_ * (*moments_)[e].nn;
    t.magnetic += efficiency_ * (*moments_)[e].magnetic;
  }
  return fold_moments(per_flux);
}

std::vector<Moments> CountsModel::fold_moments(const std::vector<Moments>& per_flux) const {
  const int nb = n_bins();
  if (fold_.empty()) return per_flux;
  // Each moment folds like a count (the response is linear): fold each component per flux.
  const FoldView f = fold_view(fold_);
  std::vector<Moments> table(static_cast<std::size_t>(kNumFluxes) * nb);
  std::vector<double> component(per_flux.size()), energy(f.n_energy);
  double Moments::*members[4] = {&Moments::zz, &Moments::zn, &Moments::nn, &Moments::magnetic};
  for (double Moments::*m : members) {
    for (std::size_t i = 0; i < per_flux.size(); ++i) component[i] = per_flux[i].*m;
    for (int flux = 0; flux < kNumFluxes; ++flux) {
      for (int j = 0; j < f.n_energy; ++j) energy[j] = fold_energy(f, component.data(), flux, j);
      for (int u = 0; u < nb; ++u)
        table[static_cast<std::size_t>(flux) * nb + u].*m =
            f.weight[static_cast<std::size_t>(flux) * nb + u] * energy[f.energy_of_bin[u]];
    }
  }
  return table;
}

CountsModel::SterileTables CountsModel::sterile_tables(const PhysicsModel& given) const {
  const PhysicsModel base = in_scheme(given);
  const RateProblem& p = *problem_;
  const int channel = base.sterile_channel;
  NucleonCharges charges[kNumFluxes];
  for (int f = 0; f < kNumFluxes; ++f) charges[f] = nucleon_charges(base, flux_flavour(f));
  std::vector<double> rate(p.entries.size());
  for (std::size_t e = 0; e < rate.size(); ++e)
    rate[e] = charge_weighted(charges[p.entries[e].flux], (*moments_)[e]) * efficiency_;

  SterileTables t;
  std::vector<double> unaffected(n_sources(), 0.0), affected(n_sources(), 0.0);
  // The depleted entries grouped by source bin, in source order (the entries are sorted by
  // recoil bin; with a fold the source bins are flux-major).
  std::vector<std::vector<std::size_t>> by_source(n_sources());
  for (int b = 0; b < p.n_bins(); ++b)
    for (int e = p.bin_offsets[b]; e < p.bin_offsets[b + 1]; ++e) {
      const QuadEntry& q = p.entries[e];
      const int s = source_of(q);
      if (sterile_affects(channel, q.flux)) {
        affected[s] += rate[e];
        by_source[s].push_back(static_cast<std::size_t>(e));
      } else {
        unaffected[s] += rate[e];
      }
    }
  DepletionTables& d = t.depletion;
  // One block of depleted entries per neutrino source (SPEC §12): its share of the flux in the
  // rates, its baseline in the phases; one source is the whole rate.
  const Baselines& bl = p.baselines;
  d.spread_ratio.clear();
  d.offsets.push_back(0);
  for (int l = 0; l < bl.n; ++l) {
    d.spread_ratio.push_back(bl.spread_m[l] / bl.baseline_m[l]);
    for (const auto& entries : by_source) {
      for (std::size_t e : entries) {
        d.rate.push_back(bl.n == 1 ? rate[e] : rate[e] * bl.weight[l]);
        d.phase_per_dm2.push_back(constants::oscillation_phase_coefficient * bl.baseline_m[l] /
                                  p.entries[e].energy_MeV);
      }
      d.offsets.push_back(static_cast<int>(d.rate.size()));
    }
  }
  d.fold = fold_;
  t.unaffected = fold_sources(unaffected);
  t.affected = fold_sources(affected);
  return t;
}

CountsModel::MediatorNodes CountsModel::mediator_nodes(const PhysicsModel& given) const {
  const PhysicsModel base = in_scheme(given);
  const RateProblem& p = *problem_;
  const RateView v = p.host_view();
  MediatorNodes n;
  n.nodes.resize(p.entries.size() * p.t_nodes.size());
  n.scale.resize(p.entries.size());
  for (std::size_t e = 0; e < p.entries.size(); ++e) {
    for (int j = 0; j < v.n_t; ++j)
      n.nodes[e * v.n_t + j] = mediator_node(v, static_cast<int>(e), base, j);
    n.scale[e] = mediator_entry_scale(v, static_cast<int>(e), base);
  }
  n.clusters = make_mediator_clusters(n.nodes, n.scale, v.n_t, p.entries, p.n_bins(), !fold_.empty());
  return n;
}

Backend::MediatorTables CountsModel::mediator_row(const MediatorNodes& n, double mass_MeV) const {
  // Per recoil bin, or per source bin (flux, true-recoil bin) then the response fold, as the
  // backend's table.
  Backend::MediatorTables t;
  for (int s = 0; s < n.clusters.n_slots(); ++s) {
    const MediatorMoments m =
        mediator_slot_moments(n.clusters.clusters.data(), n.clusters.offsets[s],
                              n.clusters.offsets[s + 1], mass_MeV, efficiency_);
    t.quadratic.push_back(m.quadratic);
    t.quartic.push_back(m.quartic);
  }
  if (fold_.empty()) return t;
  t.quadratic = fold_sources(t.quadratic);
  t.quartic = fold_sources(t.quartic);
  return t;
}

Backend::MediatorTables CountsModel::mediator_row(const PhysicsModel& base, double mass_MeV) const {
  return mediator_row(mediator_nodes(base), mass_MeV);
}

std::shared_ptr<const RateProblem> CountsModel::direct_problem() const {
  if (fold_.empty()) return problem_;
  const RateProblem& p = *problem_;
  const FoldView f = fold_view(fold_);
  auto out = std::make_shared<RateProblem>(p);
  out->entries.clear();
  out->bin_offsets.assign(1, 0);
  for (int u = 0; u < f.n_bins; ++u) {
    const int j = f.energy_of_bin[u];
    for (int b = 0; b < p.n_bins(); ++b) {
      const double r = f.response[static_cast<std::size_t>(b) * f.n_energy + j];
      if (r == 0.0) continue;
      for (int e = p.bin_offsets[b]; e < p.bin_offsets[b + 1]; ++e) {
        QuadEntry q = p.entries[e];
        const double c = f.weight[static_cast<std::size_t>(q.flux) * f.n_bins + u] * r;
        if (c == 0.0) continue;
        q.weight_per_cm2 *= c;
        q.bin = u;
        out->entries.push_back(q);
      }
    }
    out->bin_offsets.push_back(static_cast<int>(out->entries.size()));
  }
  return out;
}

std::vector<double> CountsModel::depletion_row(const DepletionTables& t, double dm2_eV2) {
  const DepletionView v = t.view(t.rate.data(), t.phase_per_dm2.data(), t.offsets.data());
  std::vector<double> source(t.n_sources());
  for (int s = 0; s < t.n_sources(); ++s) source[s] = depletion_sum(v, dm2_eV2, s);
  return fold_to_bins(t.fold, source);
}

std::vector<double> CountsModel::fold_sources(const std::vector<double>& source) const {
  return fold_to_bins(fold_, source);
}

}  // namespace cevns
