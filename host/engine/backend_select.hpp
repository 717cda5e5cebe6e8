// Run-time choice of backend: --backend cpu|cuda|auto.
#pragma once

#include <memory>
#include <string>

#include "kernels/backend.hpp"

namespace cevns {

// "auto" takes the GPU when the CUDA backend was built and a GPU is present, else the CPU.
// An unknown name or an unusable "cuda" is an InputError naming the option.
std::unique_ptr<Backend> select_backend(const std::string& name);

}  // namespace cevns
