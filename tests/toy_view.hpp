// The view of a grid's pseudo-experiments (kernels/toys.hpp) on a ToyInput held in host memory,
// for tests that call the toy kernels directly. Its fields are set as the backends set them
// (kernels/backend_impl.inl, DeviceToySet): Poisson or Gaussian as the input, the screened
// minimum only for Poisson toys whose input asks for it.
#pragma once

#include "kernels/backend.hpp"
#include "kernels/toys.hpp"

namespace cevns::testing {

inline ToyView host_toy_view(const ToyInput& in) {
  return ToyView{in.n_points,
                 in.n_bins,
                 in.n_basis,
                 static_cast<int>(in.row_first.size()) - 1,
                 in.row_first.data(),
                 in.basis.data(),
                 in.coef.data(),
                 in.poisson ? 1 : 0,
                 in.n_backgrounds,
                 in.backgrounds.data(),
                 in.sigmas.data(),
                 in.weight.data(),
                 in.gg,
                 in.point_gaussian.data(),
                 in.source_bins.data(),
                 in.source_nuisance.data(),
                 in.seed,
                 in.screen && in.poisson ? 1 : 0,
                 in.grid_n0 > 0 ? in.grid_n0 : in.n_points,
                 in.surrogate_weight.data(),
                 in.surrogate_gram.data()};
}

}  // namespace cevns::testing
