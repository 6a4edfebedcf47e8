#!/usr/bin/env bash
# reliability.sh SCENARIO COORDINATOR — end-to-end reliability checks with the real executable.
#   cleanup          a fake orphan of a dead pid and a fake entry of a live pid in /dev/shm:
#                    --cleanup removes (and names) the first only; a normal run sweeps quietly
#   kill-resume MODE SIGKILL the coordinator at a random epoch of a --checkpoint-every 1 run,
#                    resume, and compare the --save-model bytes with an uninterrupted run (and,
#                    not serial: a fault injected in an epoch before the resumed one is refused)
#   sigint-resume    SIGINT: exit 130, checkpoint and metrics rows written, resume completes exactly
#   concurrent       four coordinators at once (two pairs of identical sync runs): all exit 0,
#                    pairs give identical models, nothing left in /dev/shm
set -u
scenario=$1 coord=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
no_shm_of() { ! ls /dev/shm | grep -Eq "^hogwild-$1-" || fail "left in /dev/shm by pid $1: $(ls /dev/shm | grep -E "^hogwild-$1-")"; }
dead_pid() { bash -c 'echo $$'; }  # a pid that has just exited

# Starts the coordinator in the background writing to $work/$1.out; sets $pid.
start() {
  local name=$1
  shift
  "$coord" "$@" >"$work/$name.out" 2>&1 &
  pid=$!
}
wait_for_epoch() {  # wait_for_epoch FILE N
  for _ in $(seq 1 400); do
    grep -Eq "^epoch +$2 " "$1" && return 0
    sleep 0.025
  done
  fail "epoch $2 never printed in $1: $(cat "$1")"
}

case $scenario in
cleanup)
  # Any coordinator started meanwhile (another test, another user's run) sweeps too and may take the
  # fake orphan first; so each check gets three tries with a fresh orphan (and CTest runs this test
  # alone: RUN_SERIAL).
  live="hogwild-$$-fedcba9876543210"
  head -c 64 /dev/zero >"/dev/shm/$live"
  ok=""
  for _ in 1 2 3; do
    orphan="hogwild-$(dead_pid)-0123456789abcdef"
    head -c 64 /dev/zero >"/dev/shm/$orphan"
    out=$("$coord" --cleanup) || fail "--cleanup exited $?"
    echo "$out"
    [[ -e /dev/shm/$orphan ]] && fail "orphan $orphan not removed"
    [[ -e /dev/shm/$live ]] || fail "entry of live pid $$ was removed"
    grep -q "removed /dev/shm/$orphan" <<<"$out" && { ok=1; break; }
  done
  [[ -n $ok ]] || fail "--cleanup never named its orphan"
  # A normal run sweeps too, saying so in one line.
  ok=""
  for _ in 1 2 3; do
    orphan="hogwild-$(dead_pid)-0123456789abcdef"
    head -c 64 /dev/zero >"/dev/shm/$orphan"
    out=$("$coord" --mode serial --epochs 1 --rows 100 --quiet 2>&1) || fail "run exited $?"
    [[ -e /dev/shm/$orphan ]] && fail "start-of-run sweep did not remove $orphan"
    [[ -e /dev/shm/$live ]] || fail "entry of live pid $$ was removed by a run"
    [[ $(grep -c "removed [0-9]* orphaned /dev/shm entr.* of dead runs: .*$orphan" <<<"$out") == 1 ]] && { ok=1; break; }
  done
  rm -f "/dev/shm/$live"
  [[ -n $ok ]] || fail "sweep line never named its orphan: $out"
  echo "OK"
  ;;
kill-resume)
  mode=$1
  epochs=30
  args=(--mode "$mode" --workers 2 --epochs $epochs --rows 10000)
  [[ $mode == serial ]] && epochs=40 && args=(--mode serial --epochs $epochs --rows 40000)
  "$coord" "${args[@]}" --quiet --save-model "$work/full.txt" >/dev/null || fail "uninterrupted run failed"
  k=$((RANDOM % 20 + 3))
  start killed "${args[@]}" --checkpoint "$work/run.ckpt" --checkpoint-every 1 --metrics "$work/m.csv"
  wait_for_epoch "$work/killed.out" "$k"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  echo "killed the coordinator (pid $pid) after it printed epoch $k"
  [[ -f $work/run.ckpt ]] || fail "no checkpoint after SIGKILL"
  if [[ $mode != serial ]]; then  # a fault in an epoch the checkpoint already covers could never fire
    out=$("$coord" "${args[@]}" --resume "$work/run.ckpt" --inject-fault 0:1:kill 2>&1)
    rc=$?
    [[ $rc == 2 && $out == *"--inject-fault: epoch 1 is before this run's first"*"the fault would never fire"* ]] \
      || fail "--inject-fault before the resumed epoch: exit $rc, $out"
  fi
  # The metrics rows of the epochs the last checkpoint finished are in m.csv (published with each
  # checkpoint), not only in the dead run's m.csv.<pid>.tmp: the resumed run carries them.
  [[ -f $work/m.csv ]] || fail "no m.csv after SIGKILL (rows only in $(ls "$work" | grep tmp))"
  "$coord" "${args[@]}" --resume "$work/run.ckpt" --save-model "$work/resumed.txt" --metrics "$work/m.csv" \
    >"$work/resumed.out" 2>&1 || fail "resume failed: $(cat "$work/resumed.out")"
  grep -E "resumed from|removed|carried" "$work/resumed.out"
  grep -q "carried over from" "$work/resumed.out" || fail "no metrics rows carried: $(cat "$work/resumed.out")"
  rows=$(tail -n +2 "$work/m.csv" | cut -d, -f1 | tr '\n' ' ')
  [[ $rows == "$(seq -s ' ' 1 "$epochs") " ]] || fail "m.csv holds epochs '$rows'"
  no_shm_of "$pid"
  cmp "$work/full.txt" "$work/resumed.txt" || fail "resumed model differs from the uninterrupted one"
  echo "OK: $mode resumed after SIGKILL at epoch $k, model bytes identical, m.csv holds every epoch once"
  ;;
sigint-resume)
  args=(--mode serial --epochs 60 --rows 40000)
  "$coord" "${args[@]}" --quiet --save-model "$work/full.txt" >/dev/null || fail "uninterrupted run failed"
  start interrupted "${args[@]}" --checkpoint "$work/run.ckpt" --checkpoint-every 1000 --metrics "$work/m.csv"
  wait_for_epoch "$work/interrupted.out" 5
  kill -INT "$pid"
  wait "$pid"
  rc=$?
  cat "$work/interrupted.out" | tail -3
  [[ $rc == 130 ]] || fail "exit $rc after SIGINT, expected 130"
  [[ -f $work/run.ckpt ]] || fail "no checkpoint written on SIGINT"
  [[ -f $work/m.csv ]] || fail "no metrics written on SIGINT"
  rows=$(($(wc -l <"$work/m.csv") - 1))
  ((rows >= 5)) || fail "metrics has $rows rows, expected at least 5"
  ls "$work" | grep -q '\.tmp$' && fail "temporary left: $(ls "$work")"
  no_shm_of "$pid"
  "$coord" "${args[@]}" --quiet --resume "$work/run.ckpt" --save-model "$work/resumed.txt" >/dev/null || fail "resume failed"
  cmp "$work/full.txt" "$work/resumed.txt" || fail "resumed model differs"
  echo "OK: SIGINT after $rows epochs: exit 130, checkpoint + metrics kept, resumed run identical"
  ;;
concurrent)
  pids=()
  for i in 1 2 3 4; do
    seed=$(((i + 1) / 2))
    "$coord" --mode sync --workers 2 --epochs 15 --seed "$seed" --quiet --save-model "$work/m$i.txt" \
      --metrics "$work/m$i.csv" >"$work/$i.out" 2>&1 &
    pids+=($!)
  done
  for i in 0 1 2 3; do
    wait "${pids[$i]}" || fail "run $((i + 1)) exited $?: $(cat "$work/$((i + 1)).out")"
    no_shm_of "${pids[$i]}"
  done
  cmp "$work/m1.txt" "$work/m2.txt" || fail "runs 1 and 2 (same seed) differ"
  cmp "$work/m3.txt" "$work/m4.txt" || fail "runs 3 and 4 (same seed) differ"
  cmp -s "$work/m1.txt" "$work/m3.txt" && fail "runs with different seeds gave the same model"
  echo "OK: four concurrent runs, pairs identical"
  ;;
*) fail "unknown scenario $scenario" ;;
esac
