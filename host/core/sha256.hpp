// SHA-256 (FIPS 180-4), for the study hash that ties shards, checkpoints and merges to one
// resolved config.
#pragma once

#include <string>

namespace cevns {

// SHA-256 of `data`, as 64 lowercase hex digits.
std::string sha256_hex(const std::string& data);

}  // namespace cevns
