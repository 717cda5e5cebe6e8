// The subcommands of the `cevns` program. Each returns the process exit status; bad input is
// thrown as InputError and reported by main().
#pragma once

#include <optional>
#include <string>

namespace cevns {

struct RatesOptions {
  std::string detector_file;
  std::string backend = "auto";
  bool json = false;
  std::optional<double> bin_width_keV;
  std::optional<double> neutron_radius_fm;
  std::optional<std::string> proton_form_factor, neutron_form_factor;
  std::optional<bool> kinematic_correction;
};

int run_rates(const RatesOptions& options);

}  // namespace cevns
