// The predicted counts of one detector or data set per analysis bin, at any physics model.
//
// Made of the quadrature entries of a rate problem (host/engine/quadrature.hpp) with their
// form-factor moments (the response tables of SPEC §9, computed once on the backend), an overall
// efficiency, and — for the data releases — the response fold from (flux, true-recoil bin) to
// the release's analysis bins (FoldTables). It builds the factorised tables of the grid
// evaluators (kernels/scan_point.hpp) and evaluates any model on the host with the same functions.
#pragma once

#include <memory>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/mediator_tables.hpp"
#include "kernels/parameters.hpp"
#include "kernels/rate_problem.hpp"
#include "kernels/scan_point.hpp"

namespace cevns {

class CountsModel {
 public:
  // `moments`: one per entry of `problem`; `efficiency` multiplies every count; `fold` empty: the
  // problem's recoil bins are the analysis bins.
  CountsModel(std::shared_ptr<const RateProblem> problem,
              std::shared_ptr<const std::vector<Moments>> moments, double efficiency,
              FoldTables fold = {});

  // The same entries at another efficiency (a scenario's), or through another fold.
  CountsModel with_efficiency(double efficiency) const;
  CountsModel with_fold(FoldTables fold) const;

  int n_bins() const;
  const RateProblem& problem() const { return *problem_; }
  const std::shared_ptr<const RateProblem>& problem_ptr() const { return problem_; }
  const std::vector<Moments>& moments() const { return *moments_; }
  double efficiency() const { return efficiency_; }
  const FoldTables& fold() const { return fold_; }

  // The model in this detector's coupling scheme (RateProblem::couplings, kernels/couplings.hpp):
  // every evaluation takes the scheme from the detector, not from the model it is given.
  PhysicsModel in_scheme(const PhysicsModel& model) const {
    PhysicsModel m = model;
    m.couplings = problem_->couplings;
    return m;
  }

  // Counts per analysis bin for any combination of couplings and sterile disappearance: every
  // entry's rate from its moments, times its survival probability. With a light mediator on
  // (kernels/mediators.hpp), which the moments do not hold, every entry's full recoil integral.
  std::vector<double> counts(const PhysicsModel& model) const;

  // The quadratic-form table [flux][analysis bin] of the moments (SPEC §9).
  std::vector<Moments> quadratic_table() const;

  // The sterile evaluator's tables at the couplings of `base` for its channel: counts of the
  // entries the channel leaves alone and of those it depletes, and the depleted entries.
  struct SterileTables {
    std::vector<double> unaffected, affected;
    DepletionTables depletion;
  };
  SterileTables sterile_tables(const PhysicsModel& base) const;

  // The light-mediator tables B_b, C_b of one mass on the host, by the functions of the backend's
  // table (Backend::mediator_tables), through the response fold when there is one. The
  // mass-independent part — every (entry, recoil node)'s weights and every entry's scale, and
  // their q² clusters per source bin (kernels/mediator_tables.hpp) — can be computed once
  // (`mediator_nodes`) for the rows of many masses.
  struct MediatorNodes {
    std::vector<MediatorNode> nodes;  // [entry][recoil node]
    std::vector<double> scale;        // [entry]
    MediatorClusters clusters;
  };
  MediatorNodes mediator_nodes(const PhysicsModel& base) const;
  Backend::MediatorTables mediator_row(const MediatorNodes& nodes, double mass_MeV) const;
  Backend::MediatorTables mediator_row(const PhysicsModel& base, double mass_MeV) const;

  // Neutron radii (SPEC §10.4): the problem's isotopes with the neutron form factors `model`
  // sets, and whether any differs from the configured one.
  std::vector<IsotopeTarget> isotopes_at(const PhysicsModel& model) const;
  bool sets_neutron_radius(const PhysicsModel& model) const;
  // Moments [flux][recoil bin] (efficiency applied) → [flux][analysis bin], through the fold.
  std::vector<Moments> fold_moments(const std::vector<Moments>& per_flux) const;
  // Neutron-radius rows (SPEC §10.5) [row][flux][analysis bin] of the isotopes with mask ≠ 0, each
  // row with the isotopes of `isotope_rows` [row][isotope], on the backend; one row on the host
  // by the same function.
  std::vector<Moments> radius_rows(Backend& backend, const std::vector<IsotopeTarget>& isotope_rows,
                                   const std::vector<int>& mask) const;
  std::vector<Moments> radius_row(const std::vector<IsotopeTarget>& isotopes,
                                  const std::vector<int>& mask) const;

  // The direct path's rate problem: the problem itself without a fold; with one, a problem whose
  // bins are the analysis bins, each holding every entry its (flux, true bin) feeds, the entry's
  // weight times the fold's coefficient weight[f][u] · response[b][j(u)] (zero ones left out).
  // The direct integral of every entry is linear in its weight, so its counts are the folded
  // counts, for any model.
  std::shared_ptr<const RateProblem> direct_problem() const;

  // D_b(Δm²) per analysis bin on the host, by the functions of the backend's table.
  static std::vector<double> depletion_row(const DepletionTables& tables, double dm2_eV2);

 private:
  int n_sources() const;
  int source_of(const QuadEntry& q) const;
  // Source-bin values [n_sources] → analysis bins.
  std::vector<double> fold_sources(const std::vector<double>& source) const;
  // The entries' moments at a model's neutron radii (the stored ones when it sets none).
  std::shared_ptr<const std::vector<Moments>> moments_at(const PhysicsModel& model) const;

  std::shared_ptr<const RateProblem> problem_;
  std::shared_ptr<const std::vector<Moments>> moments_;
  double efficiency_;
  FoldTables fold_;
};

// The kernels' view of a fold (FoldTables in host memory).
FoldView fold_view(const FoldTables& fold);
// Values per source bin (flux × true bin) → per analysis bin; the identity for an empty fold.
std::vector<double> fold_to_bins(const FoldTables& fold, const std::vector<double>& source);

}  // namespace cevns
