// Bounds on single input values that set the size of a computation. They stop a slip (a bin
// width in MeV given as keV, an extra zero) from running out of memory or time; real inputs stay
// far below them. README.md, "What is validated", lists them.
#pragma once

#include <cstddef>

namespace cevns::limits {

// Recoil bins of one detector: the shipped analyses use tens.
inline constexpr int kMaxRecoilBins = 100000;
// Gauss–Legendre nodes per rule: computing the nodes is O(n²), and 32 already integrate the
// smooth spectra to double precision.
inline constexpr int kMaxQuadratureNodes = 4096;
// Energy panels per smooth segment: each multiplies the quadrature entries of every bin.
inline constexpr int kMaxEnergyPanels = 1024;
// Points of one grid axis (a 1-D scan of 10^7 points is 80 MB); the whole grid is bounded by the
// scan's own resource estimate.
inline constexpr int kMaxAxisPoints = 10000000;
// Grid points per backend call (--chunk-points): the default is 2^20.
inline constexpr std::size_t kMaxChunkPoints = std::size_t{1} << 30;

// Detectors of one combination (SPEC §12): the device keeps one point per detector
// (kernels/combination.hpp, kMaxCombinedDetectors), and a shared signal under the Poisson
// likelihood profiles the signal and every detector's background template (kernels/poisson.hpp,
// kMaxPulls).
inline constexpr int kMaxCombinedDetectors = 8;
inline constexpr int kMaxPoissonTemplates = 12;

// Plausibility: beyond these a value is possible but more likely a slip of units; a warning.
inline constexpr double kMinPlausibleBaseline_m = 1.0;          // a baseline written in km
inline constexpr double kMaxPlausibleRadius_fm = 15.0;          // beyond the largest nuclei
inline constexpr double kMaxPlausibleMass_kg = 1.0e6;           // a thousand tonnes
inline constexpr double kMaxPlausibleProtonsOnTarget = 1.0e25;  // decades of beam

// Nuclear charges and neutron numbers: beyond any known nucleus.
inline constexpr int kMaxZ = 120;
inline constexpr int kMaxN = 200;

}  // namespace cevns::limits
