#!/bin/bash
# Runs a cevns study as N shards on a Slurm cluster and merges them:
#   a job array of N tasks (one GPU each by default), task K running
#     cevns scan STUDY --shard K/N --resume -o OUTDIR/part-K.h5
#   and a merge job that starts only when every task succeeded (--dependency=afterok), on CPUs
#   (it copies the grids and redoes the analysis; no GPU is worth waiting for):
#     cevns merge --backend cpu -o OUTPUT OUTDIR/part-0.h5 … OUTDIR/part-(N-1).h5
#
# Usage: scripts/slurm/submit.sh STUDY.json N [options] [-- extra cevns scan arguments]
# See --help. The study file, the cevns binary and OUTDIR must be on a file system that the
# compute nodes share.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/slurm/submit.sh STUDY.json N [options] [-- extra cevns scan arguments]

Submits a Slurm job array of N shards of the study and a merge job that runs when all succeed.

Options:
  -p, --partition NAME    partition (queue) for both jobs
  -A, --account NAME      account to charge
  -t, --time TIME         time limit of each shard task (default 04:00:00)
      --merge-time TIME   time limit of the merge job (default 01:00:00)
  -g, --gpus N            GPUs per shard task (default 1); 0 runs the shards on CPUs only
                          (--backend cpu), otherwise --backend cuda. The merge job asks for
                          no GPU and runs with --backend cpu
      --gpu-type TYPE     GPU type for --gres=gpu:TYPE:N
  -c, --cpus N            CPUs per task (default: the cluster's default)
      --mem SIZE          memory per task (e.g. 16G)
  -d, --output-dir DIR    where the parts, logs and merged file go
                          (default ./cevns-<study>-<date-time>)
  -o, --output FILE       the merged file (default OUTDIR/<study>.h5)
      --max-parallel M    at most M shard tasks at once (--array=0-(N-1)%M)
      --cevns PATH        the cevns binary (default: cevns on PATH, else build/cevns)
      --sbatch-arg ARG    one more sbatch argument for both jobs (repeatable), e.g. --qos=long
      --dry-run           check the study, print what would be created and the sbatch
                          commands; create and submit nothing
  -h, --help              this help

Re-running the same command after a failure, a time limit or a node loss continues: every
task runs with --resume, so finished parts end at once and interrupted ones resume from their
checkpoint (OUTDIR/part-K.h5.partial).
USAGE
}

die() { echo "submit.sh: $*" >&2; exit 2; }

[[ $# -ge 1 && ( $1 == -h || $1 == --help ) ]] && { usage; exit 0; }
[[ $# -ge 2 ]] || { usage >&2; exit 2; }
study=$1 n=$2
shift 2
[[ -f $study ]] || die "$study: no such study file"
[[ $n =~ ^[1-9][0-9]*$ ]] || die "N: expected a positive number of shards, got \"$n\""

partition="" account="" time_limit="04:00:00" merge_time="01:00:00" gpus=1 gpu_type=""
cpus="" mem="" outdir="" output="" max_parallel="" cevns="" dry_run=0
sbatch_extra=() scan_extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    -p|--partition) partition=${2:?}; shift 2 ;;
    -A|--account) account=${2:?}; shift 2 ;;
    -t|--time) time_limit=${2:?}; shift 2 ;;
    --merge-time) merge_time=${2:?}; shift 2 ;;
    -g|--gpus) gpus=${2:?}; shift 2 ;;
    --gpu-type) gpu_type=${2:?}; shift 2 ;;
    -c|--cpus) cpus=${2:?}; shift 2 ;;
    --mem) mem=${2:?}; shift 2 ;;
    -d|--output-dir) outdir=${2:?}; shift 2 ;;
    -o|--output) output=${2:?}; shift 2 ;;
    --max-parallel) max_parallel=${2:?}; shift 2 ;;
    --cevns) cevns=${2:?}; shift 2 ;;
    --sbatch-arg) sbatch_extra+=("${2:?}"); shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; scan_extra=("$@"); break ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ $gpus =~ ^[0-9]+$ ]] || die "--gpus: expected a number of GPUs, got \"$gpus\""

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -z $cevns ]]; then
  if command -v cevns >/dev/null; then cevns=$(command -v cevns)
  elif [[ -x $here/../../build/cevns ]]; then cevns=$here/../../build/cevns
  else die "no cevns binary: put it on PATH or pass --cevns PATH"; fi
fi
[[ -x $cevns ]] || die "$cevns: not an executable"
cevns=$(realpath "$cevns")
study=$(realpath "$study")
name=$(basename "$study" .json)
[[ -n $outdir ]] || outdir=$PWD/cevns-$name-$(date +%Y%m%d-%H%M%S)
outdir=$(realpath -m "$outdir")
[[ -n $output ]] || output=$outdir/$name.h5
output=$(realpath -m "$output")

# Check the study (and the options) here rather than in N failed tasks.
check_err=$("$cevns" scan "$study" --shard "0/$n" --check 2>&1 >/dev/null) || {
  echo "$check_err" >&2
  die "the study does not load; nothing submitted"
}

if [[ $gpus -gt 0 ]]; then backend=cuda; else backend=cpu; fi
common=(--parsable)
[[ -n $partition ]] && common+=(--partition "$partition")
[[ -n $account ]] && common+=(--account "$account")
[[ -n $cpus ]] && common+=(--cpus-per-task "$cpus")
[[ -n $mem ]] && common+=(--mem "$mem")
common+=("${sbatch_extra[@]}")
shard_resources=()
if [[ $gpus -gt 0 ]]; then
  shard_resources=(--gres "gpu:${gpu_type:+$gpu_type:}$gpus")
fi

array="0-$((n - 1))${max_parallel:+%$max_parallel}"
shard_cmd=(sbatch "${common[@]}" "${shard_resources[@]}" --job-name "cevns-$name" --array "$array"
           --time "$time_limit" --output "$outdir/logs/shard-%a.out" --error "$outdir/logs/shard-%a.out"
           "$here/shard.sbatch" "$cevns" "$study" "$n" "$outdir" "$backend" "${scan_extra[@]}")
# The merge copies the parts' grids and redoes the analysis (minimisation, intervals, contours):
# CPU work, so it asks for no GPU and runs with --backend cpu wherever the shards ran.
merge_args() {
  merge_args=(sbatch "${common[@]}" --job-name "cevns-$name-merge" --time "$merge_time"
              --dependency "afterok:$1" --kill-on-invalid-dep=yes
              --output "$outdir/logs/merge.out" --error "$outdir/logs/merge.out"
              "$here/merge.sbatch" "$cevns" "$n" "$outdir" "$output" cpu)
}
if [[ $dry_run -eq 1 ]]; then
  echo "would create: $outdir/logs"
  printf '%q ' "${shard_cmd[@]}"; echo
  merge_args '<array-job-id>'
  printf '%q ' "${merge_args[@]}"; echo
  exit 0
fi
mkdir -p "$outdir/logs"
array_job=$("${shard_cmd[@]}")
array_job=${array_job%%;*}
merge_args "$array_job"
merge_job=$("${merge_args[@]}") || {
  echo "submit.sh: the merge job could not be submitted; cancelling the shards (job $array_job)" >&2
  scancel "$array_job" || true
  exit 1
}
merge_job=${merge_job%%;*}
echo "shards: job $array_job (array $array), logs in $outdir/logs/shard-K.out"
echo "merge:  job $merge_job (after every shard succeeded), log $outdir/logs/merge.out"
echo "output: $output"
echo "array_job=$array_job merge_job=$merge_job"
