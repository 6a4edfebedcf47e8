#!/usr/bin/env bash
# kill_worker.sh ROUNDS COMMAND...: ROUNDS times, starts COMMAND, waits for its first epoch line and
# a few random milliseconds more, and SIGKILLs one of its worker processes (kill -9, as the OOM
# killer does). Each run must end with exit code 1 within 10 s, name the worker, keep its metrics
# file if it was given one (--metrics must be the last two arguments), and leave nothing in
# /dev/shm. In sync mode a worker killed inside its send on the ready queue leaves the queue's lock
# held for ever; before the stall watchdog (coordinator/stall_watchdog.hpp) about 1 run in 20-100
# then never ended.
set -u
source "$(dirname "$0")/rounds_lib.sh"
rounds=$1
shift
metrics=""
if [[ $# -ge 2 && ${*: -2:1} == --metrics ]]; then metrics=${*: -1}; fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
watchdog=0
for ((i = 0; i < rounds; i++)); do
  [[ -n $metrics ]] && rm -f "$metrics"
  start_run "$out" "$@"
  # Workers are started every epoch: none exist between two epochs, and one picked may finish its
  # range and exit (or lie unreaped, a zombie that ignores signals) before the kill reaches it —
  # then nothing was killed and the run went on for ever (once under load: "kill: No such
  # process", then "still running 10 s after a worker was SIGKILLed"). So: a worker that is
  # still running, and another try when the kill finds none.
  killed=""
  for _ in $(seq 1 200); do
    kids=()
    for k in $(pgrep -P "$pid"); do
      state=$(awk '{print $3}' "/proc/$k/stat" 2>/dev/null)
      [[ -n $state && $state != Z ]] && kids+=("$k")
    done
    if [[ ${#kids[@]} -gt 0 ]] && kill -9 "${kids[RANDOM % ${#kids[@]}]}" 2>/dev/null; then
      killed=yes
      break
    fi
    sleep 0.01
  done
  if [[ -z $killed ]]; then echo "FAIL: round $((i + 1)): no worker process to kill"; kill -9 -- "-$pid"; exit 1; fi
  must_end "a worker was SIGKILLed"
  wait "$pid"
  rc=$?
  if [[ $rc -ne 1 ]] || ! grep -q "worker [0-9]* (pid [0-9]*) in epoch [0-9]* was killed by signal 9" "$out"; then
    echo "FAIL: round $((i + 1)): exit code $rc (expected 1 and the killed worker named)"; cat "$out"; exit 1
  fi
  grep -q "holding its lock" "$out" && watchdog=$((watchdog + 1))
  if [[ -n $metrics ]] && ! grep -q '^1,' "$metrics"; then
    echo "FAIL: round $((i + 1)): $metrics lacks the first epoch's row"; cat "$out"; exit 1
  fi
  left=$(ls /dev/shm 2>/dev/null | grep -E "^(sem\.)?hogwild-$pid-" || true)
  if [[ -n $left ]]; then echo "FAIL: round $((i + 1)): left in /dev/shm: $left"; exit 1; fi
done
echo "$rounds workers SIGKILLed, each run ended with 1 and left nothing behind ($watchdog through the stall watchdog)"
