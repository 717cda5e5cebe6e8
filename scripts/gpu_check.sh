#!/usr/bin/env bash
# Builds the CUDA backend on a GPU node, runs the GPU tests and the benchmarks, and writes a report
# (JSON and Markdown tables for the README). Written for bare GPU nodes without network access or
# a package manager: the few build dependencies travel as Debian packages fetched beforehand on a
# machine with apt (--fetch) and are unpacked with `dpkg -x` into a private prefix, never into /.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage:
  scripts/gpu_check.sh --fetch            on a machine with apt and network access: download into
                                          .gpu-debs/ the Debian packages the CUDA build needs and a
                                          bare GPU node lacks (nlohmann-json, GoogleTest, Google
                                          Benchmark, Random123; about 1 MB); then copy the repository with
                                          .gpu-debs/ to the GPU node
  scripts/gpu_check.sh [options]          on the GPU node: unpack .gpu-debs/ into a prefix, build
                                          the CUDA backend without HDF5 (tests and benchmarks,
                                          no `cevns` program), run the CUDA tests and the
                                          benchmarks, write the report

Options (GPU node):
  --out DIR             report directory (default gpu_check/)
  --bench-filter REGEX  run only the benchmarks matching REGEX (--benchmark_filter), e.g. '/cuda/'
  --build-dir DIR       build directory (default build-gpu/)
  --prefix DIR          where the packages are unpacked (default /tmp/cevns-prefix)
  --arch LIST           CUDA architectures (default 90: H100, H200; e.g. "80;90")
  --jobs N              parallel build jobs (default: all cores)
  -h, --help            this text

Needs on the GPU node: nvcc (PATH or /usr/local/cuda/bin), cmake >= 3.25, ninja, g++, python3,
dpkg (or ar and tar). Writes DIR/gpu_check.json and DIR/gpu_check.md (device, driver, nvcc,
commit, every test with pass/fail/skip, every benchmark's median time and rate — among them
the direct path's grid points per second for a (g, m) light-mediator grid,
scan/<backend>/vector_universal/direct — and CPU against GPU) and keeps the raw
DIR/gtest.json, DIR/benchmark.json and DIR/build.log. Exit status: 0 when every test passed or
skipped and the benchmarks ran, 1 when a test failed or the benchmarks failed, 2 on a setup error.
EOF
}

die() { echo "gpu_check: error: $*" >&2; exit 2; }
step() { echo "== [$(date -u +%H:%M:%S)] $*"; }

cd "$(dirname "$0")/.."
repo=$PWD
debs=$repo/.gpu-debs

mode=check
out=gpu_check
bench_filter=
build="build-gpu"
prefix=/tmp/cevns-prefix
arch=90
jobs=$(nproc 2>/dev/null || echo 4)
while [[ $# -gt 0 ]]; do
  case $1 in
    --fetch) mode=fetch ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a directory"; out=$2; shift ;;
    --out=*) out=${1#*=} ;;
    --bench-filter) [[ $# -ge 2 ]] || die "--bench-filter needs a regular expression"; bench_filter=$2; shift ;;
    --bench-filter=*) bench_filter=${1#*=} ;;
    --build-dir) [[ $# -ge 2 ]] || die "--build-dir needs a directory"; build=$2; shift ;;
    --build-dir=*) build=${1#*=} ;;
    --prefix) [[ $# -ge 2 ]] || die "--prefix needs a directory"; prefix=$2; shift ;;
    --prefix=*) prefix=${1#*=} ;;
    --arch) [[ $# -ge 2 ]] || die "--arch needs a list, e.g. 90 or \"80;90\""; arch=$2; shift ;;
    --arch=*) arch=${1#*=} ;;
    --jobs|-j) [[ $# -ge 2 ]] || die "--jobs needs a number"; jobs=$2; shift ;;
    --jobs=*) jobs=${1#*=} ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
  shift
done

# ---------------------------------------------------------------------------------------------
# --fetch: on a machine with apt. `apt-get download` takes the packages alone, without their
# dependencies: libgtest-dev's "googletest" (the sources) is not needed, and CUDA's own CCCL
# provides Thrust and CUB.
if [[ $mode == fetch ]]; then
  command -v apt-get >/dev/null || die "--fetch needs apt-get (a Debian or Ubuntu machine with network access)"
  apt_opts=()
  if [[ $(dpkg --print-architecture 2>/dev/null || echo amd64) != amd64 ]]; then
    # GPU nodes are x86-64: read amd64 package lists into a private directory.
    mkdir -p /tmp/cevns-apt-amd64/partial
    apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/cevns-apt-amd64)
    apt-get "${apt_opts[@]}" update -qq
  fi
  # The shared library's package name carries its soname (Debian 12: libbenchmark1debian).
  bench_lib() {
    apt-cache "${apt_opts[@]}" depends libbenchmark-dev 2>/dev/null |
      awk '$1 == "Depends:" && $2 ~ /^libbenchmark[0-9]/ {print $2; exit}'
  }
  lib=$(bench_lib)
  if [[ -z $lib ]]; then
    step "apt-get update (libbenchmark-dev is not in the package lists)"
    apt-get "${apt_opts[@]}" update -qq || die "apt-get update failed (are you root, with network access?)"
    lib=$(bench_lib)
    [[ -n $lib ]] || die "apt-cache knows no libbenchmark-dev: a Debian 12 or Ubuntu package source is needed"
  fi
  packages=(nlohmann-json3-dev libgtest-dev libbenchmark-dev librandom123-dev "$lib")
  # Downloaded in a temporary directory that apt's unprivileged _apt user can write to, so that a
  # failed download leaves an existing .gpu-debs/ untouched.
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  chmod 755 "$tmp"
  step "downloading ${packages[*]}"
  if ! (cd "$tmp" && apt-get "${apt_opts[@]}" download "${packages[@]}"); then
    step "apt-get update, then again"
    apt-get "${apt_opts[@]}" update -qq || die "apt-get update failed (are you root, with network access?)"
    (cd "$tmp" && apt-get "${apt_opts[@]}" download "${packages[@]}") || die "apt-get download failed"
  fi
  rm -rf "$debs"
  mkdir -p "$debs"
  mv "$tmp"/*.deb "$debs"/
  ls -l "$debs"
  echo "gpu_check: $(du -sh "$debs" | cut -f1) in .gpu-debs/; copy the repository with it to the GPU node and run scripts/gpu_check.sh there"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# The check, on the GPU node.
start=$SECONDS
nvcc=$(command -v nvcc || true)
[[ -n $nvcc ]] || { [[ -x /usr/local/cuda/bin/nvcc ]] && nvcc=/usr/local/cuda/bin/nvcc; } ||
  die "no nvcc found (neither on PATH nor /usr/local/cuda/bin/nvcc): this needs the CUDA toolkit"
for tool in cmake ninja g++ python3; do
  command -v $tool >/dev/null || die "no $tool found"
done
shopt -s nullglob
deb_files=("$debs"/*.deb)
shopt -u nullglob
[[ ${#deb_files[@]} -gt 0 ]] ||
  die "no packages in .gpu-debs/: run scripts/gpu_check.sh --fetch first on a machine with apt, and copy .gpu-debs/ along"
case $out in /*) ;; *) out=$repo/$out ;; esac
case $build in /*) ;; *) build=$repo/$build ;; esac
mkdir -p "$out"
rm -f "$out"/gtest.json "$out"/benchmark.json "$out"/gpu_check.json "$out"/gpu_check.md

step "unpacking ${#deb_files[@]} packages into $prefix"
rm -rf "$prefix"
mkdir -p "$prefix"
for f in "${deb_files[@]}"; do
  if command -v dpkg >/dev/null; then
    dpkg -x "$f" "$prefix"
  else
    # A .deb is an ar archive whose data.tar.* holds the files; tar detects the compression from
    # a file, not from a pipe.
    member=$(ar t "$f" | grep '^data\.tar') || die "$f is not a Debian package"
    (cd "$prefix" && ar x "$f" "$member" && tar -xf "$member" && rm -f "$member") ||
      die "could not unpack $f (no dpkg, and ar x with tar failed)"
  fi
done
# Debian's multiarch directory: CMake searches <prefix>/lib/<arch>/cmake only when it knows the
# arch, so the package directories are also named explicitly below.
libdir=$prefix/usr/lib/x86_64-linux-gnu
gtest_dir=$libdir/cmake/GTest
bench_dir=$libdir/cmake/benchmark
json_dir=$prefix/usr/share/cmake/nlohmann_json
random123_dir=$prefix/usr/include  # Random123/philox.h: the Feldman-Cousins toys' generator
for d in "$gtest_dir" "$bench_dir" "$json_dir" "$random123_dir/Random123"; do
  [[ -d $d ]] || die "$d is missing after unpacking .gpu-debs/: run scripts/gpu_check.sh --fetch again"
done
# Google Benchmark is a shared library: the programs find it at run time through this path.
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

step "configuring $build (CUDA on, architectures $arch, no HDF5)"
cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCEVNS_CUDA=ON -DCMAKE_CUDA_COMPILER="$nvcc" -DCEVNS_CUDA_ARCHITECTURES="$arch" \
  -DCEVNS_HDF5=OFF -DCEVNS_PYTHON= \
  -DCMAKE_PREFIX_PATH="$prefix/usr" \
  -DGTest_DIR="$gtest_dir" -Dbenchmark_DIR="$bench_dir" -Dnlohmann_json_DIR="$json_dir" \
  -DRANDOM123_INCLUDE_DIR="$random123_dir" \
  >"$out/build.log" 2>&1 || { tail -n 30 "$out/build.log" >&2; die "cmake configuration failed (log: $out/build.log)"; }
grep -E "cevns-scan: CUDA backend" "$out/build.log" || true

step "building cevns_tests and cevns_bench (-j$jobs)"
cmake --build "$build" -j "$jobs" --target cevns_tests cevns_bench >>"$out/build.log" 2>&1 ||
  { tail -n 40 "$out/build.log" >&2; die "build failed (log: $out/build.log)"; }

step "recording the device and the toolchain"
gpu=
if command -v nvidia-smi >/dev/null; then
  gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1) ||
    echo "gpu_check: warning: nvidia-smi failed: $gpu" >&2
else
  echo "gpu_check: warning: no nvidia-smi: no GPU driver on this machine, the CUDA tests will skip" >&2
fi
echo "${gpu:-no GPU}"
nvcc_version=$("$nvcc" --version)
commit=$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)
if [[ $commit != unknown ]] && [[ -n $(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
  commit=$commit-dirty
fi

step "GPU tests: cevns_tests --gtest_filter='CpuVsCuda*:*Cuda*'"
set +e
(cd "$repo" && "$build/tests/cevns_tests" --gtest_filter='CpuVsCuda*:*Cuda*' --gtest_output="json:$out/gtest.json")
test_rc=$?
step "benchmarks: cevns_bench, 3 repetitions${bench_filter:+, filter $bench_filter}"
bench_args=(--benchmark_out="$out/benchmark.json" --benchmark_out_format=json
            --benchmark_repetitions=3 --benchmark_report_aggregates_only=true)
[[ -n $bench_filter ]] && bench_args+=(--benchmark_filter="$bench_filter")
(cd "$repo" && "$build/bench/cevns_bench" "${bench_args[@]}")
bench_rc=$?
set -e

step "writing $out/gpu_check.json and $out/gpu_check.md"
report_rc=0
GPU_INFO=$gpu NVCC_VERSION=$nvcc_version COMMIT=$commit ARCH=$arch TEST_RC=$test_rc BENCH_RC=$bench_rc \
BENCH_FILTER=$bench_filter python3 - "$out" <<'PY' || report_rc=$?
# Assembles the report from GoogleTest's and Google Benchmark's JSON (standard library only).
import datetime
import json
import os
import re
import sys

out = sys.argv[1]
env = os.environ


def load(name):
    try:
        with open(os.path.join(out, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


# nvidia-smi's CSV: a header, then one line per GPU.
gpus = []
lines = [l for l in env.get("GPU_INFO", "").splitlines() if l.strip()]
if len(lines) >= 2 and lines[0].startswith("name"):
    for line in lines[1:]:
        name, driver, memory = (x.strip() for x in (line.split(",") + ["", ""])[:3])
        gpus.append({"name": name, "driver": driver, "memory": memory})
nvcc_lines = env.get("NVCC_VERSION", "").splitlines()
nvcc = next((l.strip() for l in nvcc_lines if "release" in l), nvcc_lines[-1] if nvcc_lines else "")
release = re.search(r"release ([0-9.]+), (V[0-9.]+)", nvcc)
if release:
    nvcc = f"nvcc {release.group(1)} ({release.group(2)})"

# Tests: failures listed → fail; GoogleTest's SKIPPED result → skip; else pass.
tests = []
gtest = load("gtest.json")
test_rc = int(env["TEST_RC"])
for suite in (gtest or {}).get("testsuites", []):
    for t in suite.get("testsuite", []):
        failures = [f.get("failure", "") for f in t.get("failures", [])]
        if failures:
            result = "fail"
        elif t.get("result") == "SKIPPED" or t.get("status") == "NOTRUN":
            result = "skip"
        else:
            result = "pass"
        entry = {"name": f"{suite['name']}.{t['name']}", "result": result, "time": t.get("time", "")}
        if failures:
            entry["message"] = "\n".join(failures)
        tests.append(entry)
tests_failed = test_rc != 0 or gtest is None or any(t["result"] == "fail" for t in tests)

# Benchmarks: the aggregates of each run (median, mean, stddev, cv of the repetitions). The rate
# is computed from the median wall time, since the CPU time of the calling thread does not count
# the OpenMP workers or the GPU.
TO_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
benchmark = load("benchmark.json")
runs = {}
for b in (benchmark or {}).get("benchmarks", []):
    run = runs.setdefault(b.get("run_name", b["name"]), {"name": b.get("run_name", b["name"])})
    if b.get("error_occurred"):
        run["error"] = b.get("error_message", "error")
        continue
    agg = b.get("aggregate_name") or "single"
    if agg not in ("median", "mean", "stddev", "cv", "single"):
        continue
    unit = b.get("time_unit", "ns")
    if agg == "cv":
        run["real_time_cv"] = b["real_time"]
        continue
    run[f"real_time_{agg}_s"] = b["real_time"] * TO_SECONDS[unit]
    run[f"cpu_time_{agg}_s"] = b["cpu_time"] * TO_SECONDS[unit]
    if agg in ("median", "single"):
        run["repetitions"] = b.get("repetitions", 1)
        run["iterations"] = b.get("iterations")
        if "items_per_second" in b:
            run["items_per_second_reported"] = b["items_per_second"]
        if "points" in b:
            run["points"] = b["points"]
for run in runs.values():
    t = run.get("real_time_median_s", run.get("real_time_single_s"))
    if t:
        run["median_time_s"] = t
        if run.get("points"):
            run["items_per_second"] = run["points"] / t
benchmarks = list(runs.values())
bench_failed = int(env["BENCH_RC"]) != 0 or benchmark is None or any("error" in b for b in benchmarks)

report = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "commit": env.get("COMMIT", "unknown"),
    "gpus": gpus,
    "nvidia_smi": env.get("GPU_INFO", "") or "not available",
    "nvcc": nvcc,
    "cuda_architectures": env.get("ARCH", ""),
    "host": (benchmark or {}).get("context", {}).get("host_name"),
    "host_cpus": (benchmark or {}).get("context", {}).get("num_cpus"),
    "tests": tests,
    "tests_passed": sum(t["result"] == "pass" for t in tests),
    "tests_failed": sum(t["result"] == "fail" for t in tests),
    "tests_skipped": sum(t["result"] == "skip" for t in tests),
    "test_exit_status": test_rc,
    "benchmark_filter": env.get("BENCH_FILTER", ""),
    "benchmarks": benchmarks,
    "benchmark_exit_status": int(env["BENCH_RC"]),
    "ok": not tests_failed and not bench_failed,
}
with open(os.path.join(out, "gpu_check.json"), "w") as f:
    json.dump(report, f, indent=2)
    f.write("\n")


def fmt_time(s):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if s >= scale or unit == "ns":
            v = s / scale
            return f"{v:.3g} {unit}" if v < 100 else f"{v:.0f} {unit}"


def fmt_rate(r, what="points"):
    # Feldman-Cousins benchmarks (fc/...) count pseudo-experiments: toys/s.
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3), ("", 1.0)):
        if r >= scale or unit == "":
            v = r / scale
            return (f"{v:.3g}" if v < 100 else f"{v:.0f}") + f" {unit + ' ' if unit else ''}{what}/s"


def rate_unit(name):
    return "toys" if name.startswith("fc/") else "points"


def family(name):
    # The same benchmark on the other backend: scan sizes differ (the direct path runs a larger
    # grid on the GPU), so scans are compared by their rate, rates by their time.
    parts = name.split("/")
    if len(parts) >= 2 and parts[1] in ("cpu", "cuda"):
        backend = parts.pop(1)
        if parts[0] == "scan" and len(parts) >= 4:
            parts = parts[:3]
        return "/".join(parts), backend
    return None, None


md = []
gpu_text = "; ".join(f"{g['name']}, {g['memory']}, driver {g['driver']}" for g in gpus) or "none found"
md.append(f"GPU check of commit `{report['commit']}`, {report['date']}")
md.append("")
md.append("| | |")
md.append("|---|---|")
md.append(f"| GPU | {gpu_text} |")
md.append(f"| CUDA compiler | {nvcc}, architectures {report['cuda_architectures']} |")
if report["host_cpus"]:
    md.append(f"| host CPU threads | {report['host_cpus']} |")
md.append("")
md.append(f"Tests (`cevns_tests --gtest_filter='CpuVsCuda*:*Cuda*'`): {report['tests_passed']} passed, "
          f"{report['tests_failed']} failed, {report['tests_skipped']} skipped"
          + ("" if gtest is not None else f"; the test program wrote no results (exit status {test_rc})"))
md.append("")
md.append("| test | result | time |")
md.append("|---|---|---|")
for t in tests:
    md.append(f"| `{t['name']}` | {t['result']} | {t['time']} |")
md.append("")
reps = max((b.get("repetitions", 1) for b in benchmarks), default=0)
md.append(f"Benchmarks (`cevns_bench`, median of {reps} repetitions"
          + (f", filter `{report['benchmark_filter']}`" if report["benchmark_filter"] else "")
          + "; rates from the wall time):")
md.append("")
md.append("| benchmark | time | rate |")
md.append("|---|---|---|")
for b in benchmarks:
    if "error" in b:
        md.append(f"| `{b['name']}` | error: {b['error']} | |")
        continue
    t = b.get("median_time_s")
    rate = fmt_rate(b["items_per_second"], rate_unit(b["name"])) if b.get("items_per_second") else ""
    md.append(f"| `{b['name']}` | {fmt_time(t) if t else ''} | {rate} |")
by_family = {}
for b in benchmarks:
    fam, backend = family(b["name"])
    if fam and b.get("median_time_s"):
        by_family.setdefault(fam, {})[backend] = b
pairs = [(f, v) for f, v in by_family.items() if "cpu" in v and "cuda" in v]
if pairs:
    md.append("")
    md.append("| benchmark | CPU | GPU | GPU / CPU |")
    md.append("|---|---|---|---|")
    for fam, v in pairs:
        cpu, gpu = v["cpu"], v["cuda"]
        if cpu.get("items_per_second") and gpu.get("items_per_second"):
            md.append(f"| `{fam}` | {fmt_rate(cpu['items_per_second'], rate_unit(fam))} | "
                      f"{fmt_rate(gpu['items_per_second'], rate_unit(fam))} | "
                      f"{gpu['items_per_second'] / cpu['items_per_second']:.3g}× |")
        else:
            md.append(f"| `{fam}` | {fmt_time(cpu['median_time_s'])} | {fmt_time(gpu['median_time_s'])} | "
                      f"{cpu['median_time_s'] / gpu['median_time_s']:.3g}× |")
with open(os.path.join(out, "gpu_check.md"), "w") as f:
    f.write("\n".join(md) + "\n")
print("\n".join(md))
sys.exit(0 if report["ok"] else 1)
PY
echo "gpu_check: report in $out/gpu_check.md and $out/gpu_check.json ($((SECONDS - start)) s)"
if [[ $test_rc -ne 0 ]]; then
  echo "gpu_check: FAILED: a GPU test failed (see above and $out/gtest.json)" >&2
  exit 1
fi
if [[ $bench_rc -ne 0 || $report_rc -ne 0 ]]; then
  echo "gpu_check: FAILED: the benchmarks failed or reported an error (see $out/benchmark.json)" >&2
  exit 1
fi
echo "gpu_check: OK"
