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
# The state letter of process $1 in /proc (empty once it is gone).
state_of() { awk '{print $3}' "/proc/$1/stat" 2>/dev/null; }
watchdog=0
for ((i = 0; i < rounds; i++)); do
  [[ -n $metrics ]] && rm -f "$metrics"
  start_run "$out" "$@"
  # Workers are started every epoch: none exist between two epochs, and one picked may be past its
  # work — a zombie that ignores signals, or inside exit(), where a SIGKILL no longer changes its
  # exit status: it ends with 0, rightly taken as a worker that finished, and the run goes on for
  # ever (seen twice under load: "kill: No such process", and under ASan a worker picked while
  # LeakSanitizer checked it at exit; "still running 10 s after a worker was SIGKILLed"). So the
  # kill must land on a worker that is still alive: SIGSTOP it first, and SIGKILL it only once
  # /proc shows it stopped (state T: a task that has begun to exit never stops); one that does not
  # stop within 0.2 s gets SIGCONT and another is picked. A stopped worker stops where it is, in
  # the middle of a step or inside its send, as an unannounced SIGKILL would find it.
  killed=""
  for _ in $(seq 1 200); do
    kids=()
    for k in $(pgrep -P "$pid"); do
      state=$(state_of "$k")
      [[ -n $state && $state != Z ]] && kids+=("$k")
    done
    if [[ ${#kids[@]} -gt 0 ]]; then
      victim=${kids[RANDOM % ${#kids[@]}]}
      if kill -STOP "$victim" 2>/dev/null; then
        for _ in $(seq 1 40); do
          state=$(state_of "$victim")
          [[ $state == T ]] && break
          sleep 0.005
        done
        if [[ $state == T ]] && kill -9 "$victim" 2>/dev/null; then
          killed=yes
          break
        fi
        kill -CONT "$victim" 2>/dev/null
      fi
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
