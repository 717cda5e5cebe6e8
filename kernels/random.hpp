// Counter-based random numbers for the pseudo-experiments of SPEC §11, written once for both
// backends. Every variate is a pure function of (seed, grid point, toy, stream): Philox4x32-10
// (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011; Debian's
// librandom123-dev) maps that counter to 128 random bits, so a toy is the same in any chunking,
// shard, resumed run or backend, and no generator state is carried between threads.
//
// After the Philox bits only +, −, ×, ÷ and √ follow (all correctly rounded in IEEE double on the
// CPU and on the GPU, compiled without contraction): the logarithm of the Gaussian sampler is an
// arithmetic series here rather than the C library's or CUDA's log, whose last bits differ, so
// both backends draw bit-identical toys.
#pragma once

#include <Random123/philox.h>

#include <cmath>
#include <cstdint>

#include "kernels/hd.hpp"

namespace cevns {

// Streams of one (point, toy): the Poisson count of bin b uses stream b; the Gaussian constraint
// of pull k uses streams kGaussianStream + 256 k + attempt (the polar method may reject).
inline constexpr std::uint32_t kGaussianStream = 0x80000000u;

// Two uniform doubles in (0, 1), 53 random bits each, from the 128 bits of one Philox call:
// u = (k + ½) 2⁻⁵³ never reaches 0 or 1.
struct UniformPair {
  double u, v;
};

CEVNS_HD inline UniformPair philox_uniforms(std::uint64_t seed, std::uint64_t point,
                                            std::uint32_t toy, std::uint32_t stream) {
  philox4x32_ctr_t ctr = {
      {toy, static_cast<std::uint32_t>(point), static_cast<std::uint32_t>(point >> 32), stream}};
  philox4x32_key_t key = {
      {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  const philox4x32_ctr_t r = philox4x32_R(10, ctr, key);
  const auto bits53 = [](std::uint32_t hi, std::uint32_t lo) {
    return (static_cast<std::uint64_t>(hi >> 5) << 26) | static_cast<std::uint64_t>(lo >> 6);
  };
  constexpr double kTwoToMinus53 = 1.0 / 9007199254740992.0;
  return UniformPair{(static_cast<double>(bits53(r.v[0], r.v[1])) + 0.5) * kTwoToMinus53,
                     (static_cast<double>(bits53(r.v[2], r.v[3])) + 0.5) * kTwoToMinus53};
}

// ln x for finite x > 0 by arithmetic alone: x = m 2^e with m ∈ [1/√2, √2) (frexp is exact),
// ln m = 2 atanh z = 2 Σ z^(2j+1)/(2j+1), z = (m − 1)/(m + 1), |z| ≤ 0.1716; 14 terms leave a
// truncation below 1e-22. ln 2 in two parts (Cody–Waite) so that e ln 2 adds no rounding of its
// own. Accurate to a few ulp; identical on every IEEE machine.
CEVNS_HD inline double arithmetic_log(double x) {
  int e = 0;
  double m = std::frexp(x, &e);  // m ∈ [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    e -= 1;
  }
  const double z = (m - 1.0) / (m + 1.0), z2 = z * z;
  double sum = 0.0;
  for (int j = 13; j >= 1; --j) sum = z2 * (1.0 / (2 * j + 1) + sum);
  const double ln_m = 2.0 * z * (1.0 + sum);
  constexpr double kLn2High = 6.93147180369123816490e-01;  // 0x3FE62E42FEE00000
  constexpr double kLn2Low = 1.90821492927058770002e-10;
  return e * kLn2High + (e * kLn2Low + ln_m);
}

// A standard normal variate by Marsaglia's polar method (G. Marsaglia and T. A. Bray, SIAM Rev. 6
// (1964) 260): exact by construction, since it rejects (u, v) outside the unit disc and
// transforms the rest without approximation; each attempt is its own Philox stream.
CEVNS_HD inline double philox_normal(std::uint64_t seed, std::uint64_t point, std::uint32_t toy,
                                     std::uint32_t stream) {
  for (std::uint32_t attempt = 0; attempt < 256; ++attempt) {
    const UniformPair p = philox_uniforms(seed, point, toy, stream + attempt);
    const double u = 2.0 * p.u - 1.0, v = 2.0 * p.v - 1.0;
    const double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) return u * std::sqrt(-2.0 * arithmetic_log(s) / s);
  }
  return 0.0;  // 256 rejections in a row: probability (1 − π/4)^256 ≈ 1e-171
}

// The Poisson distribution of mean μ as the sampler needs it: its mode m = ⌊μ⌋, P(X = m) and
// P(X ≤ m), computed once on the host (host/engine/feldman_cousins.cpp).
struct PoissonTable {
  double mean;
  double mode;
  double p_mode;
  double cdf_mode;
};

// A Poisson variate by inversion of the uniform u, searching from the mode (the "chop-down search
// from the mode" of A. W. Kemp and C. D. Kemp, J. Stat. Comput. Simul. 37 (1991) 207; also
// L. Devroye, Non-Uniform Random Variate Generation, 1986, §X.3): the smallest k with
// F(k) ≥ u, walking down with P(k − 1) = P(k) k/μ or up with P(k + 1) = P(k) μ/(k + 1). Exact by
// construction up to the rounding of the cumulative sum, for any μ; the expected number of steps
// is about 0.8 √μ + 1.
CEVNS_HD inline double poisson_inverse(const PoissonTable& t, double u) {
  if (!(t.mean > 0.0)) return 0.0;
  double k = t.mode, p = t.p_mode, f = t.cdf_mode;
  if (u <= f) {
    while (k > 0.0) {
      const double below = f - p;  // F(k − 1)
      if (u > below) break;
      p = p * k / t.mean;
      k -= 1.0;
      f = below;
    }
    return k;
  }
  // Upwards: F(k + 1) = F(k) + P(k + 1). The cumulative sum can stall a rounding short of 1;
  // the tail beyond 40 standard deviations (P < 1e-300) ends the walk.
  const double k_max = t.mode + 40.0 * std::sqrt(t.mean) + 40.0;
  while (k < k_max) {
    k += 1.0;
    p = p * t.mean / k;
    f += p;
    if (u <= f || !(p > 0.0)) break;
  }
  return k;
}

}  // namespace cevns
