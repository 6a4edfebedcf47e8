#!/usr/bin/env bash
# stop_idle_worker.sh COMMAND...: starts COMMAND (a run with --worker-lifetime run and a short
# --step-timeout), waits for its first epoch line, and SIGSTOPs one of its worker processes. With a
# large test set the coordinator spends most of each epoch evaluating, so the worker is mostly
# stopped while idle, between two commands. The run must end with exit code 1 within 10 s naming a
# worker that made no progress, without the minute of grace that only workers still starting get
# (before, a worker stopped while idle got it: the run ended after 62 s), and leave nothing in
# /dev/shm.
set -u
source "$(dirname "$0")/rounds_lib.sh"
i=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
start_run "$out" "$@"
victim=""
for _ in $(seq 1 100); do
  victim=$(pgrep -P "$pid" | head -n 1)
  [[ -n $victim ]] && break
  sleep 0.02
done
if [[ -z $victim ]] || ! kill -STOP "$victim"; then echo "FAIL: no worker process to stop"; kill -9 -- "-$pid"; exit 1; fi
must_end "a worker was SIGSTOPped"
wait "$pid"
rc=$?
kill -9 "$victim" 2>/dev/null  # reaped by the coordinator normally; never left stopped
if [[ $rc -ne 1 ]] || ! grep -q "made no progress" "$out" || grep -q "plus a minute to start" "$out"; then
  echo "FAIL: exit code $rc (expected 1, a worker that made no progress, no start-up grace)"; cat "$out"; exit 1
fi
left=$(ls /dev/shm 2>/dev/null | grep -E "^(sem\.)?hogwild-$pid-" || true)
if [[ -n $left ]]; then echo "FAIL: left in /dev/shm: $left"; exit 1; fi
grep "made no progress" "$out"
