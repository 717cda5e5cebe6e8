#include "host/engine/scan_model.hpp"

#include <stdexcept>

#include "host/config/limits.hpp"
#include "kernels/combination.hpp"
#include "kernels/electromagnetic.hpp"
#include "kernels/mediators.hpp"
#include "kernels/scan_point.hpp"

namespace cevns {

Statistic asimov_statistic(const std::vector<double>& true_counts, double background_fraction,
                           double sigma_alpha, double sigma_beta) {
  Statistic s;
  s.kind = ScanInput::kGaussianPulls;
  s.n_exp.resize(true_counts.size());
  s.n_bg.resize(true_counts.size());
  for (std::size_t b = 0; b < true_counts.size(); ++b) {
    s.n_bg[b] = background_fraction * true_counts[b];
    s.n_exp[b] = true_counts[b] + s.n_bg[b];
  }
  s.sigma_alpha = sigma_alpha;
  s.sigma_beta = sigma_beta;
  return s;
}

Statistic asimov_poisson_statistic(Statistic g) {
  Statistic s;
  s.kind = ScanInput::kPoisson;
  s.data = std::move(g.n_exp);
  s.backgrounds = {std::move(g.n_bg)};
  s.sigmas = {g.sigma_alpha, g.sigma_beta};
  return s;
}

std::vector<GridAxis> grid_axes(const std::vector<Axis>& axes) {
  std::vector<GridAxis> out;
  for (const Axis& a : axes) out.push_back(GridAxis{a.id, a.values()});
  return out;
}

ScanModel::ScanModel(std::shared_ptr<const CountsModel> counts, std::vector<GridAxis> axes,
                     const PhysicsModel& given_base, Statistic statistic, Method method,
                     Backend& backend)
    : counts_(std::move(counts)) {
  const CountsModel& cm = *counts_;
  const PhysicsModel base = cm.in_scheme(given_base);  // the detector's coupling scheme
  input_.n_axes = static_cast<int>(axes.size());
  bool quadratic = true, sterile_plane = axes.size() == 2;
  for (int k = 0; k < input_.n_axes; ++k) {
    input_.ids[k] = axes[k].id;
    input_.axis[k] = std::move(axes[k].values);  // a 1-D axis can hold millions of points
    quadratic = quadratic && parameter_info(axes[k].id).role == kCouplingRole;
  }
  sterile_plane = sterile_plane && axes[0].id == kSin22Theta && axes[1].id == kDm2;
  // A sin²2θ line at a fixed Δm² (a scan's `fixed`): the sterile table of that one Δm².
  const bool sterile_line = axes.size() == 1 && axes[0].id == kSin22Theta;
  sterile_plane = sterile_plane || sterile_line;
  // The mediator tables: the coupling on axis 0, the mass on axis 1 or fixed, a mediator chosen.
  const bool mediator_plane = base.mediator != kNoMediator && axes[0].id == kMediatorCoupling &&
                              (axes.size() == 1 || axes[1].id == kMediatorMass);
  // At a fixed mass, the coupling against a neutron radius: the same tables per radius row.
  const bool mediator_radius_plane =
      base.mediator != kNoMediator && axes.size() == 2 && axes[0].id == kMediatorCoupling &&
      parameter_info(axes[1].id).role == kNeutronRadiusRole;
  // Neutron-radius tables: coupling and radius axes, at least one radius.
  bool radius_grid = true, any_radius = false;
  for (const GridAxis& a : axes) {
    const int role = parameter_info(a.id).role;
    radius_grid = radius_grid && (role == kCouplingRole || role == kNeutronRadiusRole);
    any_radius = any_radius || role == kNeutronRadiusRole;
  }
  // The quadratic-form and radius tables hold neither a mediator nor oscillations: with a
  // mediator on, or a sterile mixing in the fixed parameters (a sterile truth), a grid of coupling
  // or radius axes integrates directly.
  const bool oscillating = base.sterile_channel != kNoSterile && base.value[kSin22Theta] != 0.0;
  radius_grid = radius_grid && any_radius && !mediator_active(base) && !oscillating;
  // The quadratic and sterile tables hold no mediator: with one on, they do not apply.
  quadratic = quadratic && !mediator_active(base) && !oscillating;
  sterile_plane = sterile_plane && !mediator_active(base);
  input_.base = base;

  input_.statistic = statistic.kind;
  input_.n_exp = std::move(statistic.n_exp);
  input_.n_bg = std::move(statistic.n_bg);
  input_.sigma_alpha = statistic.sigma_alpha;
  input_.sigma_beta = statistic.sigma_beta;
  input_.data = std::move(statistic.data);
  input_.sigmas = std::move(statistic.sigmas);
  input_.n_backgrounds = static_cast<int>(statistic.backgrounds.size());
  for (const auto& b : statistic.backgrounds)
    input_.backgrounds.insert(input_.backgrounds.end(), b.begin(), b.end());
  for (double n : input_.n_exp) weights_.push_back(n > 0.0 ? 1.0 / n : 0.0);
  if (input_.n_bins() != cm.n_bins())
    throw std::invalid_argument("ScanModel: the statistic's bins are not the counts' bins");
  if (input_.statistic == ScanInput::kPoisson) {
    if (input_.n_backgrounds + 1 > kMaxPulls)
      throw std::invalid_argument("ScanModel: more normalisation templates than kMaxPulls");
    for (const auto& b : statistic.backgrounds)
      if (static_cast<int>(b.size()) != input_.n_bins())
        throw std::invalid_argument("ScanModel: a background template's bins are not the data's");
    if (input_.sigmas.size() != statistic.backgrounds.size() + 1)
      throw std::invalid_argument("ScanModel: one sigma per normalisation (signal, backgrounds)");
  } else if (input_.n_bg.size() != input_.n_exp.size()) {
    throw std::invalid_argument("ScanModel: the background's bins are not the Asimov data's");
  }

  // Magnetic moments alone on the axes: the polynomial A + μ_e² M_e + μ_μ² M_μ.
  bool magnetic = quadratic;
  for (const GridAxis& a : axes) magnetic = magnetic && is_magnetic_moment(a.id);

  if (method == Method::kFactorised && magnetic) {
    input_.evaluator = ScanInput::kMagnetic;
    const std::vector<Moments> table = cm.quadratic_table();
    const int nb = cm.n_bins();
    PhysicsModel off = base;
    for (const GridAxis& a : axes) off.value[a.id] = 0.0;
    const QuadraticCounts q{table.data(), nb};
    const QuadraticCounts::Point p = q.at(off);
    input_.magnetic_base.resize(nb);
    for (int k = 0; k < 2; ++k) input_.magnetic_moment[k].assign(nb, 0.0);
    for (int b = 0; b < nb; ++b) {
      input_.magnetic_base[b] = q.bin(p, b);
      for (int f = 0; f < kNumFluxes; ++f) {
        const int alpha = flux_flavour(f);
        if (alpha == kE || alpha == kMu)
          input_.magnetic_moment[alpha == kE ? 0 : 1][b] += table[f * nb + b].magnetic;
      }
    }
  } else if (method == Method::kFactorised && quadratic) {
    input_.evaluator = ScanInput::kQuadratic;
    input_.quadratic_table = cm.quadratic_table();
  } else if (method == Method::kFactorised && sterile_plane) {
    input_.evaluator = ScanInput::kSterile;
    CountsModel::SterileTables t = cm.sterile_tables(base);
    input_.unaffected = std::move(t.unaffected);
    input_.affected = std::move(t.affected);
    depletion_ = std::move(t.depletion);
    input_.dm2_axis = sterile_line ? -1 : 1;
    input_.depletion = backend.sterile_depletion(
        depletion_, sterile_line ? std::vector<double>{base.value[kDm2]} : input_.axis[1]);
  } else if (method == Method::kFactorised && mediator_plane) {
    input_.evaluator = ScanInput::kMediator;
    PhysicsModel off = base;
    off.value[kMediatorCoupling] = 0.0;
    input_.sm = cm.counts(off);
    input_.mass_axis = axes.size() == 2 ? 1 : -1;
    const std::vector<double> masses =
        axes.size() == 2 ? input_.axis[1] : std::vector<double>{base.value[kMediatorMass]};
    Backend::MediatorTables t =
        backend.mediator_tables(cm.problem(), base, masses, cm.efficiency(), cm.fold());
    input_.quadratic = std::move(t.quadratic);
    input_.quartic = std::move(t.quartic);
  } else if (method == Method::kFactorised && mediator_radius_plane) {
    // Per radius row: A at g = 0 and the mediator's B, C at the fixed mass, with the row's
    // neutron form factors (each table row recomputes the node weights: F_N is in them).
    input_.evaluator = ScanInput::kMediator;
    input_.mass_axis = 1;
    input_.sm_per_row = 1;
    mediator_radius_id_ = input_.ids[1];
    for (double r : input_.axis[1]) {
      PhysicsModel row = base;
      row.value[mediator_radius_id_] = r;
      Backend::MediatorTables t = backend.mediator_tables(
          cm.problem(), row, {base.value[kMediatorMass]}, cm.efficiency(), cm.fold());
      row.value[kMediatorCoupling] = 0.0;
      const std::vector<double> a = cm.counts(row);
      input_.sm.insert(input_.sm.end(), a.begin(), a.end());
      input_.quadratic.insert(input_.quadratic.end(), t.quadratic.begin(), t.quadratic.end());
      input_.quartic.insert(input_.quartic.end(), t.quartic.begin(), t.quartic.end());
    }
  } else if (method == Method::kFactorised && radius_grid) {
    input_.evaluator = ScanInput::kRadius;
    // Which axis sets each isotope's radius: its element's radius when that is an axis or set in
    // `base` (it wins over rn_fm), else an rn_fm axis; −1: none, the isotope is in the fixed table.
    const std::vector<IsotopeTarget>& isotopes = cm.problem().isotopes;
    std::vector<int> fixed_mask(isotopes.size(), 0);
    for (int k = 0; k < input_.n_axes; ++k) radius_masks_[k].assign(isotopes.size(), 0);
    for (std::size_t i = 0; i < isotopes.size(); ++i) {
      const int own = isotopes[i].neutron_radius_parameter;
      int axis = -1;
      for (int k = 0; k < input_.n_axes; ++k)
        if (own >= 0 && input_.ids[k] == own) axis = k;
      if (axis < 0 && !(own >= 0 && base.value[own] > 0.0))
        for (int k = 0; k < input_.n_axes; ++k)
          if (input_.ids[k] == kNeutronRadius) axis = k;
      (axis < 0 ? fixed_mask[i] : radius_masks_[axis][i]) = 1;
    }
    input_.radius_fixed = cm.radius_row(cm.isotopes_at(base), fixed_mask);
    for (int k = 0; k < input_.n_axes; ++k) {
      if (parameter_info(input_.ids[k]).role != kNeutronRadiusRole) {
        radius_masks_[k].clear();
        continue;
      }
      std::vector<IsotopeTarget> rows;
      rows.reserve(input_.axis[k].size() * isotopes.size());
      PhysicsModel m = base;
      for (double r : input_.axis[k]) {
        m.value[input_.ids[k]] = r;
        const std::vector<IsotopeTarget> row = cm.isotopes_at(m);
        rows.insert(rows.end(), row.begin(), row.end());
      }
      input_.radius_rows[k] = cm.radius_rows(backend, rows, radius_masks_[k]);
    }
  } else {
    input_.evaluator = ScanInput::kDirect;
    input_.rates = cm.direct_problem();  // with a response fold, the analysis bins
    input_.efficiency = cm.efficiency();
  }
}

static_assert(limits::kMaxCombinedDetectors == kMaxCombinedDetectors &&
                  limits::kMaxPoissonTemplates == kMaxPulls,
              "the study's bounds on combinations are the kernels'");

ScanModel::ScanModel(std::vector<const ScanModel*> members, bool shared_signal)
    : members_(std::move(members)) {
  if (members_.empty() || members_.size() > static_cast<std::size_t>(kMaxCombinedDetectors))
    throw std::invalid_argument("ScanModel: a combination of 1 to kMaxCombinedDetectors grids");
  const ScanInput& first = members_[0]->input();
  for (const ScanModel* m : members_) {
    const ScanInput& in = m->input();
    if (m->combination() || in.evaluator != first.evaluator || in.statistic != first.statistic ||
        in.n_axes != first.n_axes || in.axis[0] != first.axis[0] || in.axis[1] != first.axis[1])
      throw std::invalid_argument("ScanModel: a combination's grids differ in their kind or axes");
    input_.members.push_back(&in);
  }
  if (shared_signal && first.statistic == ScanInput::kPoisson) {
    int templates = 1;
    for (const ScanModel* m : members_) templates += m->input().n_backgrounds;
    if (templates > kMaxPulls)
      throw std::invalid_argument("ScanModel: a combination with more than kMaxPulls templates");
  }
  input_.n_axes = first.n_axes;
  input_.ids[0] = first.ids[0];
  input_.ids[1] = first.ids[1];
  input_.axis[0] = first.axis[0];
  input_.axis[1] = first.axis[1];
  input_.base = first.base;
  input_.statistic = first.statistic;
  input_.evaluator = first.evaluator;
  input_.shared_signal = shared_signal;
}

template <class F>
auto ScanModel::with_point(const PhysicsModel& given, F&& f) const {
  const PhysicsModel model = counts_->in_scheme(given);
  const int n_bins = input_.n_bins();
  switch (input_.evaluator) {
    case ScanInput::kQuadratic: {
      const QuadraticCounts c{input_.quadratic_table.data(), n_bins};
      return f(c, c.at(model));
    }
    case ScanInput::kMagnetic: {
      const MagneticCounts c{input_.magnetic_base.data(),
                             {input_.magnetic_moment[0].data(), input_.magnetic_moment[1].data()},
                             n_bins};
      return f(c, c.at(model));
    }
    case ScanInput::kSterile: {
      const std::vector<double> row = CountsModel::depletion_row(depletion_, model.value[kDm2]);
      const SterileCounts c{input_.unaffected.data(), input_.affected.data(), nullptr, n_bins,
                            input_.dm2_axis};
      return f(c, SterileCounts::Point{model.value[kSin22Theta], row.data()});
    }
    case ScanInput::kMediator: {
      std::lock_guard<std::mutex> lock(mediator_mutex_);
      const double mass = model.value[kMediatorMass];
      const MediatorCounts c{input_.sm.data(), nullptr, nullptr, n_bins, input_.mass_axis};
      const double g = model.value[kMediatorCoupling];
      if (mediator_radius_id_ >= 0) {  // rows of neutron radius: A, B, C at the point's radius
        const double r = model.value[mediator_radius_id_];
        if (r != cached_radius_[1] || mass != cached_mass_) {
          PhysicsModel row = input_.base;
          row.value[mediator_radius_id_] = r;
          cached_row_ = counts_->mediator_row(counts_->mediator_nodes(row), mass);
          row.value[kMediatorCoupling] = 0.0;
          cached_sm_ = counts_->counts(row);
          cached_radius_[1] = r;
          cached_mass_ = mass;
        }
        return f(c, MediatorCounts::Point{g * g, cached_row_.quadratic.data(),
                                          cached_row_.quartic.data(), cached_sm_.data()});
      }
      if (mass != cached_mass_) {
        if (!mediator_nodes_) mediator_nodes_ = counts_->mediator_nodes(input_.base);
        cached_row_ = counts_->mediator_row(*mediator_nodes_, mass);
        cached_mass_ = mass;
      }
      return f(c, MediatorCounts::Point{g * g, cached_row_.quadratic.data(),
                                        cached_row_.quartic.data(), input_.sm.data()});
    }
    case ScanInput::kRadius: {
      std::lock_guard<std::mutex> lock(radius_mutex_);
      const RadiusCounts c{input_.radius_fixed.data(), {nullptr, nullptr}, n_bins};
      RadiusCounts::Point p;
      for (int f = 0; f < kNumFluxes; ++f) p.charges[f] = nucleon_charges(model, flux_flavour(f));
      for (int k = 0; k < 2; ++k) {
        p.rows[k] = nullptr;
        if (k >= input_.n_axes || radius_masks_[k].empty()) continue;
        const double r = model.value[input_.ids[k]];
        if (r != cached_radius_[k]) {
          PhysicsModel row_model = input_.base;
          row_model.value[input_.ids[k]] = r;
          cached_radius_rows_[k] =
              counts_->radius_row(counts_->isotopes_at(row_model), radius_masks_[k]);
          cached_radius_[k] = r;
        }
        p.rows[k] = cached_radius_rows_[k].data();
      }
      return f(c, p);
    }
    case ScanInput::kDirect:
    default: {
      const RateProblem& p = *input_.rates;
      const DirectCounts c{p.host_view(), p.bin_offsets.data(), input_.efficiency};
      return f(c, c.at(model));
    }
  }
}

std::vector<double> ScanModel::counts(const PhysicsModel& model) const {
  if (combination()) {
    std::vector<double> out;
    for (const ScanModel* m : members_) {
      const std::vector<double> c = m->counts(model);
      out.insert(out.end(), c.begin(), c.end());
    }
    return out;
  }
  return with_point(model, [&](const auto& c, const auto& pt) {
    std::vector<double> out(input_.n_bins());
    for (int b = 0; b < input_.n_bins(); ++b) out[b] = c.bin(pt, b);
    return out;
  });
}

double ScanModel::chi2(const PhysicsModel& model) const {
  if (combination()) return combined_chi2(model);
  return with_point(model, [&](const auto& c, const auto& pt) {
    if (input_.statistic == ScanInput::kGaussianPulls) {
      const auto inverse_variance = [](double s) { return s > 0.0 ? 1.0 / (s * s) : -1.0; };
      const GaussianStats s{input_.n_exp.data(),
                            input_.n_bg.data(),
                            weights_.data(),
                            input_.n_bins(),
                            inverse_variance(input_.sigma_alpha),
                            inverse_variance(input_.sigma_beta),
                            input_.sigma_alpha > 0.0 ? 1.0 : 0.0,
                            input_.sigma_beta > 0.0 ? 1.0 : 0.0};
      return point_chi2(c, pt, s);
    }
    const PoissonStats s{input_.data.data(), input_.backgrounds.data(), input_.n_backgrounds,
                         input_.sigmas.data(), input_.n_bins()};
    return point_chi2(c, pt, s);
  });
}

// A combination off the grid: without a shared pull the sum of its detectors' statistics, else
// the kernels' shared-signal statistic of their counts, each computed by its own evaluator.
double ScanModel::combined_chi2(const PhysicsModel& model) const {
  if (!input_.shared_signal) {
    double sum = 0.0;
    for (const ScanModel* m : members_) sum += m->chi2(model);
    return sum;
  }
  const std::size_t n = members_.size();
  std::vector<std::vector<double>> values(n);
  std::vector<TabulatedCounts> counts(n);
  std::vector<TabulatedCounts::Point> points(n);
  for (std::size_t d = 0; d < n; ++d) {
    values[d] = members_[d]->counts(model);
    counts[d].values = values[d].data();
  }
  const auto inverse_variance = [](double s) { return s > 0.0 ? 1.0 / (s * s) : -1.0; };
  const int members = static_cast<int>(n);
  if (input_.statistic == ScanInput::kGaussianPulls) {
    std::vector<GaussianStats> stats;
    for (const ScanModel* m : members_) {
      const ScanInput& in = m->input();
      stats.push_back(
          GaussianStats{in.n_exp.data(), in.n_bg.data(), m->weights_.data(), in.n_bins(),
                        inverse_variance(in.sigma_alpha), inverse_variance(in.sigma_beta),
                        in.sigma_alpha > 0.0 ? 1.0 : 0.0, in.sigma_beta > 0.0 ? 1.0 : 0.0});
    }
    // The detectors' evaluators decide the form, as on the device (kernels/combination.hpp).
    const bool residuals =
        input_.evaluator == ScanInput::kMediator ||
        (input_.evaluator == ScanInput::kDirect && model.mediator != kNoMediator);
    return shared_signal_chi2(counts.data(), points.data(), stats.data(), members, residuals);
  }
  std::vector<PoissonStats> stats;
  for (const ScanModel* m : members_) {
    const ScanInput& in = m->input();
    stats.push_back(PoissonStats{in.data.data(), in.backgrounds.data(), in.n_backgrounds,
                                 in.sigmas.data(), in.n_bins()});
  }
  return shared_signal_chi2(counts.data(), points.data(), stats.data(), members, false);
}

PhysicsModel ScanModel::model_at(const std::vector<double>& values) const {
  PhysicsModel m = input_.base;
  for (std::size_t k = 0; k < values.size(); ++k) m.value[input_.ids[k]] = values[k];
  return m;
}

}  // namespace cevns
