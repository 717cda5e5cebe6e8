#!/bin/bash
# Runs a cevns study as N shard processes on this machine and merges them:
#   scripts/run_shards.sh STUDY.json N [-o OUT.h5] [--gpus LIST] [--keep-parts] [extra cevns scan args]
#
# Shard K runs `cevns scan STUDY --shard K/N --resume -o OUT.parts/part-K.h5 [extra args]`; with
# --gpus 0,1 the shards take the listed GPUs in turn (CUDA_VISIBLE_DEVICES). When all succeed,
# `cevns merge` writes OUT.h5 (default: <study>.h5 here) and the parts are removed (kept with
# --keep-parts). Interrupted (Ctrl-C, SIGTERM) or failed, the finished chunks stay in
# OUT.parts/; running the same command again continues from there.
# The cevns binary: $CEVNS, else cevns on PATH, else build/cevns of this repository.
set -euo pipefail

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }
[[ $# -ge 1 && ( $1 == -h || $1 == --help ) ]] && { usage; exit 0; }
[[ $# -ge 2 ]] || { usage >&2; exit 2; }
study=$1 n=$2
shift 2
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "run_shards.sh: N: expected a positive number, got \"$n\"" >&2; exit 2; }
output="" gpus="" keep=0 extra=() merge_extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    -o|--output) output=${2:?}; shift 2 ;;
    --gpus) gpus=${2:?}; shift 2 ;;
    --keep-parts) keep=1; shift ;;
    --backend) extra+=("$1" "${2:?}"); merge_extra+=("$1" "$2"); shift 2 ;;
    --backend=*) extra+=("$1"); merge_extra+=("$1"); shift ;;
    -q|--quiet) extra+=("$1"); merge_extra+=("$1"); shift ;;
    *) extra+=("$1"); shift ;;
  esac
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cevns=${CEVNS:-}
if [[ -z $cevns ]]; then
  if command -v cevns >/dev/null; then cevns=$(command -v cevns); else cevns=$here/../build/cevns; fi
fi
[[ -n $output ]] || output=$(basename "$study" .json).h5
parts_dir=${output%.h5}.parts
mkdir -p "$parts_dir"
IFS=, read -r -a gpu_list <<<"$gpus"

pids=()
stop() {  # forward the signal: each shard saves its finished chunks and exits
  trap - INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
  echo "run_shards.sh: interrupted; finished chunks are in $parts_dir/, run the same command to continue" >&2
  exit "$1"
}
trap 'stop 130' INT
trap 'stop 143' TERM

parts=()
for ((k = 0; k < n; k++)); do
  part=$parts_dir/part-$k.h5
  parts+=("$part")
  (
    if [[ ${#gpu_list[@]} -gt 0 ]]; then export CUDA_VISIBLE_DEVICES=${gpu_list[k % ${#gpu_list[@]}]}; fi
    exec "$cevns" scan "$study" --shard "$k/$n" --resume -o "$part" "${extra[@]}" >"$part.log" 2>&1
  ) &
  pids+=($!)
done
failed=()
for k in "${!pids[@]}"; do
  if ! wait "${pids[k]}"; then failed+=("$k"); fi
done
trap - INT TERM
if [[ ${#failed[@]} -gt 0 ]]; then
  for k in "${failed[@]}"; do
    echo "run_shards.sh: shard $k/$n failed; its log ($parts_dir/part-$k.h5.log) ends:" >&2
    tail -n 5 "$parts_dir/part-$k.h5.log" >&2 || true
  done
  echo "run_shards.sh: run the same command again to continue (finished chunks are kept)" >&2
  exit 1
fi
"$cevns" merge -o "$output" "${merge_extra[@]}" "${parts[@]}"
if [[ $keep -eq 0 ]]; then
  rm -f "${parts[@]}" "${parts[@]/%/.log}"
  rmdir "$parts_dir" 2>/dev/null || true
fi
