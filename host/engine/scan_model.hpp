// The model of one grid: what every point of a scan of a forecast, or of a fit to data, is made
// of — a CountsModel (the predicted counts), the grid's axes and fixed parameters, a statistic
// (Gaussian pulls against Asimov data, or the Poisson likelihood of a data release), and the
// evaluator that computes the counts (quadratic form, sterile table or the direct integral).
// Its ScanInput is what a backend computes the grid from; chi2() and counts() give the same
// statistic at any point off the grid, on the host, through the same kernels.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "host/config/study.hpp"
#include "host/engine/counts_model.hpp"
#include "kernels/backend.hpp"

namespace cevns {

// The statistic a grid compares its counts with.
struct Statistic {
  ScanInput::Statistic kind = ScanInput::kGaussianPulls;
  // Gaussian (SPEC §7): Asimov data and background per bin, pull widths.
  std::vector<double> n_exp, n_bg;
  double sigma_alpha = 0.0, sigma_beta = 0.0;
  // Poisson: observed counts, background templates, σ per normalisation (signal first).
  std::vector<double> data;
  std::vector<std::vector<double>> backgrounds;
  std::vector<double> sigmas;
};

// SPEC §7: Asimov data N_exp = N_th(truth) + N_bg, N_bg = f_bg N_th(truth), and the scenario's
// pull widths.
Statistic asimov_statistic(const std::vector<double>& true_counts, double background_fraction,
                           double sigma_alpha, double sigma_beta);

// The same Asimov data under the Baker–Cousins likelihood (kernels/poisson.hpp): the data N_exp,
// the background as the one template beside the signal, σ_α and σ_β as the normalisations' σ
// (0 fixes one) — the `likelihood: "poisson"` of a study's statistics.
Statistic asimov_poisson_statistic(Statistic gaussian);

// One axis of a grid: the parameter and its values.
struct GridAxis {
  int id;
  std::vector<double> values;
};
std::vector<GridAxis> grid_axes(const std::vector<Axis>& axes);

class ScanModel {
 public:
  // `axes`: one or two; `base`: every other parameter (and the sterile channel and mediator
  // model). kFactorised takes the quadratic-form evaluator for coupling axes (the polynomial in
  // μ² for magnetic-moment axes alone), the sterile table for (sin²2θ, Δm²) and the mediator
  // tables for (mediator_coupling, mediator_mass_MeV), mediator_coupling alone, or
  // (mediator_coupling, a neutron radius) at a fixed mass (a table row per radius), the radius
  // tables for coupling and neutron-radius axes with at least one radius (SPEC §10.5); the
  // quadratic, magnetic and radius tables only where `base` has no mediator on and no sterile
  // mixing. Any other grid, and kDirect, integrates directly (through the response fold, if any:
  // CountsModel::direct_problem): among them a
  // radius with a mediator mass axis (a table per point), and a radius or coupling axis with a
  // mediator or sterile truth (the radius and quadratic tables hold neither a propagator nor a
  // survival probability).
  ScanModel(std::shared_ptr<const CountsModel> counts, std::vector<GridAxis> axes,
            const PhysicsModel& base, Statistic statistic, Method method, Backend& backend);

  // A combination of detectors (SPEC §12; kernels/combination.hpp): one statistic over the grids
  // of `members` (one scan and scenario, one model per detector; they must outlive this), the
  // signal pull shared when `shared_signal`, each detector keeping its background pulls.
  ScanModel(std::vector<const ScanModel*> members, bool shared_signal);
  bool combination() const { return !members_.empty(); }

  const ScanInput& input() const { return input_; }
  const CountsModel& counts_model() const { return *counts_; }
  bool direct() const { return input_.evaluator == ScanInput::kDirect; }

  // Predicted counts per analysis bin and the statistic at any model, by the grid's evaluator (a
  // combination: its detectors' bins one after the other).
  std::vector<double> counts(const PhysicsModel& model) const;
  double chi2(const PhysicsModel& model) const;
  PhysicsModel model_at(const std::vector<double>& values) const;  // base + one value per axis

 private:
  template <class F>
  auto with_point(const PhysicsModel& model, F&& f) const;
  double combined_chi2(const PhysicsModel& model) const;

  std::shared_ptr<const CountsModel> counts_;
  DepletionTables depletion_;  // kSterile: for Δm² off the grid's rows
  // kMediator: the mass-independent node weights (made at the first mass off the grid's rows,
  // then every other mass is only its propagator sums) and the tables of the last mass asked for
  // (the analysis asks many couplings at one mass in turn).
  mutable std::mutex mediator_mutex_;
  mutable std::optional<CountsModel::MediatorNodes> mediator_nodes_;
  mutable double cached_mass_ = -1.0;
  mutable Backend::MediatorTables cached_row_;
  // (mediator_coupling, neutron radius) planes: the radius parameter of the rows (−1: rows of
  // mass), and A of the last radius asked for (cached_radius_[1] holds that radius).
  int mediator_radius_id_ = -1;
  mutable std::vector<double> cached_sm_;
  // kRadius: per axis, the isotopes whose neutron radius it sets, and the rows of the last radii
  // asked for off the grid's rows.
  std::vector<int> radius_masks_[2];
  mutable std::mutex radius_mutex_;
  mutable double cached_radius_[2] = {-1.0, -1.0};
  mutable std::vector<Moments> cached_radius_rows_[2];
  std::vector<double> weights_;  // 1/N_exp per bin (Gaussian)
  std::vector<const ScanModel*> members_;  // a combination's detectors
  ScanInput input_;
};

}  // namespace cevns
