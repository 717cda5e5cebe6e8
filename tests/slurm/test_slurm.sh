#!/bin/bash
# End-to-end test of scripts/slurm/submit.sh on a real, throwaway single-node Slurm cluster:
#   installs Debian's slurm-wlm pieces and munge if absent (apt-get, needs root),
#   starts munged, slurmctld and slurmd from a temporary directory (no GPUs, no cgroups:
#   proctrack/linuxproc, task/none), submits a 3-shard array and its merge job with submit.sh
#   --gpus 0, waits (at most 180 s), and checks that the merged file's datasets equal an
#   unsharded run bit for bit (with h5py when PYTHON has it, else h5dump, installed with
#   hdf5-tools when absent). Every daemon it started is stopped on exit.
# Before any of that, without Slurm: submit.sh --dry-run creates nothing, and its merge job asks
# for no GPU and runs with --backend cpu.
#
# Usage: tests/slurm/test_slurm.sh /path/to/cevns [PYTHON]
# Prints "SKIP: <reason>" and exits 77 (ctest's SKIP_RETURN_CODE) only where this machine cannot
# run Slurm at all (not root, so no daemons; no slurm packages and no way to install them).
set -uo pipefail

cevns=${1:?usage: test_slurm.sh /path/to/cevns [PYTHON]}
cevns=$(realpath "$cevns")
python=${2:-python3}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
deadline_s=${CEVNS_SLURM_TEST_TIMEOUT:-180}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; dump_logs; exit 1; }
log() { echo "test_slurm: $*"; }
dump_logs() { :; }  # replaced once the cluster's directory exists

# --- submit.sh --dry-run: prints, creates nothing; the merge job is a CPU job ---------------------
dry_dir=$(mktemp -d /tmp/cevns-slurm-dry-XXXXXX)
dry=$("$src/scripts/slurm/submit.sh" "$src/configs/studies/weak_mixing.json" 4 --dry-run \
        --gpus 2 --output-dir "$dry_dir/out" --cevns "$cevns" 2>&1) ||
  { rm -rf "$dry_dir"; fail "submit.sh --dry-run failed: $dry"; }
[[ ! -e $dry_dir/out ]] || { rm -rf "$dry_dir"; fail "submit.sh --dry-run created $dry_dir/out"; }
rm -rf "$dry_dir"
shard_line=$(grep -- "--array 0-3" <<<"$dry") || fail "--dry-run printed no shard array: $dry"
merge_line=$(grep -- "--dependency afterok:" <<<"$dry") || fail "--dry-run printed no merge job: $dry"
[[ $shard_line == *"--gres gpu:2 "* && $shard_line == *" cuda"* ]] ||
  fail "shard tasks should ask for 2 GPUs and run --backend cuda: $shard_line"
[[ $merge_line != *--gres* ]] || fail "the merge job asks for a GPU: $merge_line"
[[ $merge_line =~ merge\.sbatch\ .*\ cpu\ ?$ ]] ||
  fail "the merge job should run with --backend cpu: $merge_line"
log "submit.sh --dry-run created nothing; shards on GPUs, merge on CPUs"

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
dump_logs() {
  for f in "$tmp"/log/*.log "$tmp"/run/logs/*.out; do
    [[ -f $f ]] || continue
    echo "---- $f" >&2
    tail -n 20 "$f" >&2
  done
}
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
# Either way fails unless it compared every chi2 grid of the study, with its values.
groups=(w/Ar/ideal w/Ar/sys15 w/CsI/ideal w/CsI/sys15 s/Ar/ideal s/Ar/sys15 s/CsI/ideal s/CsI/sys15)
if "$python" -c 'import h5py, numpy' 2>/dev/null; then
  "$python" - "$tmp/unsharded.h5" "$tmp/run/merged.h5" "${groups[@]}" <<'EOF' || fail "merged file differs from the unsharded run"
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
for g in sys.argv[3:]:  # every grid of the study is there, with its values (31 and 21 x 17 points)
    assert g + "/chi2" in da, f"no {g}/chi2 in the unsharded file"
    assert da[g + "/chi2"].size == (31 if g.startswith("w/") else 21 * 17), (g, da[g + "/chi2"].shape)
n_chi2 = sum(k.endswith("/chi2") for k in da)
print(f"test_slurm: {len(da)} datasets identical, {n_chi2} chi2 grids bit for bit (h5py)")
EOF
else
  if ! command -v h5dump >/dev/null; then
    log "installing hdf5-tools (h5dump) with apt-get"
    apt-get install -y --no-install-recommends hdf5-tools >>/tmp/cevns-slurm-apt.log 2>&1 ||
      { apt-get update >>/tmp/cevns-slurm-apt.log 2>&1 &&
          apt-get install -y --no-install-recommends hdf5-tools >>/tmp/cevns-slurm-apt.log 2>&1; } ||
      fail "nothing to compare the files with: no h5py in $python, no h5dump, and apt-get could not install hdf5-tools (see /tmp/cevns-slurm-apt.log)"
  fi
  n=0
  for g in "${groups[@]}"; do
    if [[ $g == w/* ]]; then points=31; else points=$((21 * 17)); fi
    for d in chi2 delta_chi2; do
      for f in unsharded merged; do
        file=$tmp/$f.h5
        [[ $f == merged ]] && file=$tmp/run/merged.h5
        h5dump -A 0 -d "/$g/$d" -m %.17g "$file" >"$tmp/$f.dump" 2>&1 ||
          fail "h5dump cannot read /$g/$d of $file: $(head -c 300 "$tmp/$f.dump")"
      done
      # The dataset's values (-A 0: no attributes): as many numbers after "DATA {", less the
      # "(i,j):" indices, as the grid has points.
      values=$(sed -n '/DATA {/,$p' "$tmp/unsharded.dump" | sed 's/([0-9, ]*)://g' |
               grep -oE '[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?|inf|nan' | wc -l)
      [[ $values -eq $points ]] || fail "h5dump of /$g/$d shows $values values, expected $points"
      diff <(tail -n +3 "$tmp/unsharded.dump") <(tail -n +3 "$tmp/merged.dump") >/dev/null ||
        fail "/$g/$d differs"
      n=$((n + 1))
    done
  done
  [[ $n -eq $((2 * ${#groups[@]})) ]] || fail "compared $n datasets, expected $((2 * ${#groups[@]}))"
  log "$n datasets identical: $((n / 2)) chi2 and delta_chi2 grids with all their values (h5dump)"
fi
echo "PASS: Slurm array of 3 shards (interrupted by SIGTERM, resubmitted, resumed) + afterok merge == unsharded run"
