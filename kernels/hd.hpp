// Marks the physics functions that both backends compile: the CUDA backend as device code, the
// CPU backend (g++, Thrust's OpenMP system) as plain host code.
#pragma once

#if defined(__CUDACC__)
#define CEVNS_HD __host__ __device__
#else
#define CEVNS_HD
#endif
