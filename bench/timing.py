"""Timing of a numpy reference and of the same grid in cevns_bench, in one run.

Both wall time (best of the repetitions) and CPU time: the development machine is shared, and
under load the wall time of two OpenMP threads says little. numpy's CPU time is the process's
(time.process_time: every thread, BLAS included); the program's is cevns_bench's `cpu_time` run
with OMP_NUM_THREADS=1, where the one thread does all the work.
"""
import json
import os
import subprocess
import time


def time_numpy(fn, repeat):
    """(best wall seconds, best CPU seconds, last result) over `repeat` calls of fn()."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus), result


def time_cevns(bench, name, repeat):
    """(best wall seconds with the default threads, best CPU seconds on one thread) of one
    cevns_bench benchmark, `repeat` repetitions each."""
    def run(env):
        res = subprocess.run([bench, f"--benchmark_filter={name}$", "--benchmark_min_time=0.5",
                              f"--benchmark_repetitions={repeat}", "--benchmark_format=json"],
                             check=True, capture_output=True, text=True, env=env)
        runs = [b for b in json.loads(res.stdout)["benchmarks"] if b.get("run_type") == "iteration"]
        unit = {"ms": 1e-3, "us": 1e-6, "ns": 1e-9, "s": 1.0}[runs[0]["time_unit"]]
        return min(b["real_time"] for b in runs) * unit, min(b["cpu_time"] for b in runs) * unit
    wall, _ = run(dict(os.environ))
    _, cpu = run(dict(os.environ, OMP_NUM_THREADS="1"))
    return wall, cpu


def report(label_numpy, numpy_wall, numpy_cpu, name, cevns_wall, cevns_cpu, repeat):
    print(f"numpy  {label_numpy}: {numpy_wall * 1e3:8.2f} ms wall, {numpy_cpu * 1e3:8.2f} ms CPU "
          f"(best of {repeat})")
    print(f"cevns  {name}: {cevns_wall * 1e3:8.2f} ms wall ({os.cpu_count()} CPUs), "
          f"{cevns_cpu * 1e3:8.2f} ms CPU on one thread (best of {repeat})")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; cevns is "
          f"{numpy_wall / cevns_wall:.1f}x faster in wall time, {numpy_cpu / cevns_cpu:.1f}x in CPU time")
