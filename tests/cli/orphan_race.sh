#!/usr/bin/env bash
# orphan_race.sh ROUNDS COMMAND...: SIGKILLs a coordinator that starts workers every millisecond or
# so (tiny sync epochs), at a random moment, ROUNDS times, and checks that no worker outlives it.
# A worker forked just before the kill, whose prctl(PR_SET_PDEATHSIG) came after its parent's
# death, used to live on, waiting on the segment until its backstop (about 41 s): 3 of 30 rounds
# with sync fork workers. Each round runs in its own session so its workers are found by group.
set -u
rounds=$1
shift
fails=0
for round in $(seq 1 "$rounds"); do
  setsid "$@" </dev/null >/dev/null 2>&1 &
  cp=$!
  sleep "0.$((RANDOM % 5 + 1))"
  kill -9 "$cp"
  wait "$cp" 2>/dev/null
  survivors=""
  for _ in $(seq 1 20); do  # PDEATHSIG is immediate; give the machine half a second
    survivors=""
    for k in $(pgrep -g "$cp"); do
      st=$(ps -o stat= -p "$k" 2>/dev/null)
      [[ -n $st && $st != Z* ]] && survivors+="$k "  # a zombie has exited (init reaps it)
    done
    [[ -z $survivors ]] && break
    sleep 0.025
  done
  if [[ -n $survivors ]]; then
    echo "FAIL: round $round: workers $survivors outlived the SIGKILLed coordinator $cp"
    kill -9 $survivors 2>/dev/null
    fails=$((fails + 1))
  fi
  rm -f /dev/shm/hogwild-"$cp"-* /dev/shm/sem.hogwild-"$cp"-*
done
[[ $fails == 0 ]] && echo "ok: $rounds rounds, no worker outlived its coordinator"
exit $((fails > 0))
