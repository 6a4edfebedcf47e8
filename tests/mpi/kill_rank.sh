#!/usr/bin/env bash
# A rank of a --distributed job is killed (SIGKILL or SIGTERM) in the middle of training: the job
# must end (no hang) with a failure status, the surviving ranks must say why, and nothing of the
# job may be left in /dev/shm (docs/distributed.md, "When a rank fails").
# Usage: kill_rank.sh SIGNAL RANKS MPIRUN COORDINATOR [coordinator flags...]
set -uo pipefail
sig=$1 ranks=$2 mpirun=$3
shift 3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,tcp
log=$(mktemp)
trap 'rm -f "$log"' EXIT; [[ -n ${KEEP_LOG:-} ]] && trap - EXIT
"$mpirun" --oversubscribe -np "$ranks" "$@" --distributed >"$log" 2>&1 &
job=$!
# The ranks are mpirun's children; rank 1 is the one whose environment says so.
victim=""
for _ in $(seq 1 200); do
  for p in $(pgrep -P "$job"); do
    if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then victim=$p; fi
  done
  [[ -n $victim ]] && grep -q '^epoch *2 ' "$log" && break
  sleep 0.05
done
if [[ -z $victim ]]; then echo "FAIL: rank 1 never started"; cat "$log"; kill "$job"; exit 1; fi
mine=$(ls /dev/shm | grep -E "^(sem\.)?hogwild-($victim|$(pgrep -P "$job" | paste -sd'|'))-" || true)
echo "killing rank 1 (pid $victim) with SIG$sig; its job's /dev/shm entries: ${mine//$'\n'/ }"
kill -s "$sig" "$victim"
timeout 60 tail --pid="$job" -f /dev/null
wait "$job"
rc=$?
echo "mpirun exited with $rc"
grep -v "^epoch" "$log" | tail -${LOG_LINES:-20}
status=0
if [[ $rc -eq 0 ]]; then echo "FAIL: the job succeeded although rank 1 was killed"; status=1; fi
if [[ $sig == TERM && $rc -ne 1 && $rc -ne 130 ]]; then echo "FAIL: expected exit 1 or 130, got $rc"; status=1; fi
# Each rank's guardian removes its entries once the rank and its workers are gone: allow it a moment.
for f in $mine; do
  for _ in $(seq 1 50); do [[ -e /dev/shm/$f ]] || break; sleep 0.1; done
  if [[ -e /dev/shm/$f ]]; then echo "FAIL: /dev/shm/$f left behind"; status=1; fi
done
exit $status
