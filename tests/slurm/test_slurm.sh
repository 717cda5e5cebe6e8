#!/bin/bash
# End-to-end test of scripts/slurm/submit.sh on a real, throwaway single-node Slurm cluster:
#   installs Debian's slurm-wlm pieces and munge if absent (apt-get, needs root),
#   starts munged, slurmctld and slurmd from a temporary directory (no GPUs, no cgroups:
#   proctrack/linuxproc, task/none), submits a 3-shard array and its merge job with submit.sh
#   --gpus 0, waits (at most 180 s), and checks that the merged file's datasets equal an
#   unsharded run bit for bit. Every daemon it started is stopped on exit.
#
# Usage: tests/slurm/test_slurm.sh /path/to/cevns
# Prints "SKIP: <reason>" and exits 0 only where this machine cannot run Slurm at all (not root,
# so no daemons; no slurm packages and no way to install them).
set -uo pipefail

cevns=${1:?usage: test_slurm.sh /path/to/cevns}
cevns=$(realpath "$cevns")
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
deadline_s=${CEVNS_SLURM_TEST_TIMEOUT:-180}

skip() { echo "SKIP: $*"; exit 0; }
fail() { echo "FAIL: $*" >&2; dump_logs; exit 1; }
log() { echo "test_slurm: $*"; }

[[ $(id -u) -eq 0 ]] || skip "not root: a private slurmctld/slurmd/munged needs root here"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
   ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || skip "Slurm is not installed and there is no apt-get"
  log "installing slurmctld slurmd slurm-client munge with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge >/tmp/cevns-slurm-apt.log 2>&1; then
    apt-get update >>/tmp/cevns-slurm-apt.log 2>&1 &&
      apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge >>/tmp/cevns-slurm-apt.log 2>&1 ||
      skip "Slurm is not installed and apt-get could not install it (see /tmp/cevns-slurm-apt.log)"
  fi
fi

tmp=$(mktemp -d /tmp/cevns-slurm-XXXXXX)
chmod 700 "$tmp"
pids=()
dump_logs() {
  for f in "$tmp"/log/*.log "$tmp"/run/logs/*.out; do
    [[ -f $f ]] || continue
    echo "---- $f" >&2
    tail -n 20 "$f" >&2
  done
}
cleanup() {
  if [[ -f $tmp/slurm.conf ]] && [[ ${#pids[@]} -gt 0 ]]; then
    SLURM_CONF=$tmp/slurm.conf scancel --quiet --user root >/dev/null 2>&1 || true
    for _ in $(seq 20); do
      [[ -z $(SLURM_CONF=$tmp/slurm.conf squeue -h 2>/dev/null) ]] && break
      sleep 0.5
    done
  fi
  # Stop the daemons this script started, newest first, by process id.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  done
  # Step daemons of our slurmd (they carry our SLURM_CONF in their environment).
  for p in /proc/[0-9]*; do
    [[ $(cat "$p/comm" 2>/dev/null) == slurmstepd ]] || continue
    if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx "SLURM_CONF=$tmp/slurm.conf"; then
      kill -9 "${p#/proc/}" 2>/dev/null || true
    fi
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- munge: a private key and socket ----------------------------------------------------------
mkdir -p "$tmp/munge" "$tmp/log" "$tmp/state" "$tmp/spool" "$tmp/run"
chmod 700 "$tmp/munge"
if command -v mungekey >/dev/null; then
  mungekey --create --keyfile="$tmp/munge/munge.key" >/dev/null 2>&1 ||
    dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
else
  dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
fi
chmod 400 "$tmp/munge/munge.key"
socket=$tmp/munge/munge.socket
munged --foreground --force --key-file="$tmp/munge/munge.key" --socket="$socket" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/log/munged.log" \
  --seed-file="$tmp/munge/munged.seed" >"$tmp/log/munged.out.log" 2>&1 &
pids+=($!)
for _ in $(seq 40); do [[ -S $socket ]] && break; sleep 0.25; done
[[ -S $socket ]] || fail "munged did not start"
echo hello | munge --socket="$socket" | unmunge --socket="$socket" >/dev/null ||
  fail "munge credentials do not round-trip"

# --- slurm.conf: one node, localhost, 2 CPUs, no GPUs ------------------------------------------
ctld_port=$(free_port) slurmd_port=$(free_port)
cat >"$tmp/slurm.conf" <<EOF
ClusterName=cevnstest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
KillWait=5
MinJobAge=300
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$tmp/slurm.conf

slurmctld -D -c -f "$SLURM_CONF" >"$tmp/log/slurmctld.out.log" 2>&1 &
pids+=($!)
slurmd -D -N localhost -f "$SLURM_CONF" >"$tmp/log/slurmd.out.log" 2>&1 &
pids+=($!)
state=""
for _ in $(seq 60); do
  state=$(sinfo -h -n localhost -o %T 2>/dev/null | head -n 1)
  [[ $state == idle ]] && break
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || fail "a daemon exited at start (pid $pid)"
  done
  sleep 0.5
done
[[ $state == idle ]] || fail "the node did not become idle (state \"$state\")"
log "cluster up: slurmctld :$ctld_port, slurmd :$slurmd_port, node localhost idle"

# --- a small study, unsharded on this machine, then sharded through Slurm ---------------------
cat >"$tmp/study.json" <<EOF
{"name": "slurmtest",
 "detectors": ["$src/configs/detectors/ar.json", "$src/configs/detectors/csi.json"],
 "scenarios": ["ideal", "sys15"],
 "quadrature": {"recoil_nodes": 8, "energy_nodes": 8, "energy_panels": 2},
 "scans": [
  {"name": "w", "axes": [{"parameter": "sin2_theta_W", "min": 0.1, "max": 0.4, "points": 31}]},
  {"name": "s", "channel": "nue",
   "axes": [{"parameter": "sin2_2theta", "min": 0.01, "max": 1.0, "points": 21, "scale": "log"},
            {"parameter": "dm2_eV2", "min": 0.1, "max": 100.0, "points": 17, "scale": "log"}]}]}
EOF
"$cevns" scan "$tmp/study.json" --backend cpu -q -o "$tmp/unsharded.h5" >/dev/null ||
  fail "the unsharded run failed"

submit() {
  "$src/scripts/slurm/submit.sh" "$tmp/study.json" 3 --gpus 0 --partition debug \
    --time 00:05:00 --merge-time 00:05:00 --cpus 1 --output-dir "$tmp/run" \
    --output "$tmp/run/merged.h5" --cevns "$cevns" -- --chunk-points 60
}
# The final state of a job (waits while it is pending or running).
wait_job() {
  local state=""
  while :; do
    state=$(scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1 | cut -d= -f2)
    case $state in
      PENDING|RUNNING|CONFIGURING|COMPLETING|SUSPENDED|REQUEUED|"") ;;
      *) echo "$state"; return ;;
    esac
    (( SECONDS - start < deadline_s )) || { echo "TIMEOUT_OF_TEST($state)"; return; }
    sleep 1
  done
}
start=$SECONDS

# 1. Every shard is stopped by SIGTERM after 2 chunks (the test-only hook; as at a time limit):
#    the array fails, the merge job is cancelled, the finished chunks stay in part-K.h5.partial.
submitted=$(CEVNS_TEST_KILL_AFTER_CHUNKS=2:TERM submit) || fail "submit.sh failed: $submitted"
echo "$submitted"
eval "$(grep '^array_job=' <<<"$submitted")"
[[ -n ${merge_job:-} ]] || fail "submit.sh printed no job ids"
state=$(wait_job "$merge_job")
[[ $state == CANCELLED ]] || fail "merge job after failed shards: expected CANCELLED, got $state"
for k in 0 1 2; do
  [[ -f $tmp/run/part-$k.h5.partial && ! -e $tmp/run/part-$k.h5 ]] || fail "shard $k left no checkpoint"
  grep -q "interrupted by SIGTERM: 2 of .* chunks are saved in $tmp/run/part-$k.h5.partial; run the same command with --resume" \
    "$tmp/run/logs/shard-$k.out" || fail "shard $k did not report its checkpoint"
done
[[ ! -e $tmp/run/merged.h5 ]] || fail "a merged file exists after failed shards"
log "interrupted shards saved their chunks; merge cancelled ($((SECONDS - start))s)"

# 2. The same submission again resumes every shard and merges.
submitted=$(submit) || fail "submit.sh failed: $submitted"
echo "$submitted"
eval "$(grep '^array_job=' <<<"$submitted")"
state=$(wait_job "$merge_job")
[[ $state == COMPLETED ]] || fail "merge job: expected COMPLETED, got $state"
log "merge job $merge_job completed after $((SECONDS - start))s"
for k in 0 1 2; do
  grep -q "^cevns shard $k/3" "$tmp/run/logs/shard-$k.out" || fail "no log of shard $k"
  grep -q "resuming $tmp/run/part-$k.h5.partial: 2 of" "$tmp/run/logs/shard-$k.out" ||
    fail "shard $k did not resume its checkpoint"
  grep -q "computed [0-9]* chunks, 2 restored from a checkpoint" "$tmp/run/logs/shard-$k.out" ||
    fail "shard $k recomputed finished chunks"
done
grep -q "^merged: $tmp/run/merged.h5" "$tmp/run/logs/merge.out" || fail "the merge log says no merge"

# --- the merged file equals the unsharded run --------------------------------------------------
if python3 -c 'import h5py, numpy' 2>/dev/null; then
  python3 - "$tmp/unsharded.h5" "$tmp/run/merged.h5" <<'EOF' || fail "merged file differs from the unsharded run"
import sys, h5py
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
def datasets(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out
da, db = datasets(a), datasets(b)
assert da.keys() == db.keys(), sorted(set(da) ^ set(db))
bad = [k for k in da if da[k].tobytes() != db[k].tobytes()]
assert not bad, bad
assert b.attrs["complete"] == 1 and b.attrs["file_kind"] == "scan"
assert a.attrs["study_hash"] == b.attrs["study_hash"]
n_chi2 = sum(k.endswith("/chi2") for k in da)
print(f"test_slurm: {len(da)} datasets identical, {n_chi2} chi2 grids bit for bit")
EOF
else
  n=0
  for g in w/Ar/ideal w/Ar/sys15 w/CsI/ideal w/CsI/sys15 s/Ar/ideal s/Ar/sys15 s/CsI/ideal s/CsI/sys15; do
    for d in chi2 delta_chi2; do
      diff <(h5dump -d "/$g/$d" -m %.17g "$tmp/unsharded.h5" | tail -n +3) \
           <(h5dump -d "/$g/$d" -m %.17g "$tmp/run/merged.h5" | tail -n +3) >/dev/null ||
        fail "/$g/$d differs"
      n=$((n + 1))
    done
  done
  log "$n datasets identical (h5dump)"
fi
echo "PASS: Slurm array of 3 shards (interrupted by SIGTERM, resubmitted, resumed) + afterok merge == unsharded run"
