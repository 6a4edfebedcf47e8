# Helpers for the scripts that stop runs at random moments (group_stop.sh, kill_worker.sh); source it.

# start_run OUT COMMAND...: starts COMMAND in its own session (output to OUT), sets $pid, and waits
# up to 30 s for its first epoch line (the first epoch is slow under the sanitizers), then a few
# random milliseconds more. If no epoch line came, says so (round $i), kills its group and exits 1.
start_run() {
  local out=$1
  shift
  # Emptied here, before the run starts: the run's own `>"$out"` happens in the background job,
  # and until it does the file still holds the previous round's epoch lines, which the wait below
  # took for this round's (then the file was emptied and the check after the loop failed: "no
  # epoch line" after a fraction of a second, once in a ctest -j2 run).
  : >"$out"
  setsid "$@" >"$out" 2>&1 &
  pid=$!
  # Bounded by the clock rather than by a count of sleeps (each sleep also costs a process start).
  local t0=$SECONDS
  while ((SECONDS - t0 < 30)); do
    grep -q '^epoch' "$out" && break
    sleep 0.02
  done
  if ! grep -q '^epoch' "$out"; then
    echo "FAIL: round $((i + 1)): no epoch line after 30 s"
    cat "$out"
    kill -9 -- "-$pid" 2>/dev/null
    exit 1
  fi
  sleep "0.0$((RANDOM % 10))"
}

# must_end WHAT: waits up to 10 s for $pid to end; if it does not, says so (round $i, WHAT), kills its
# group, removes its /dev/shm entries and exits 1.
must_end() {
  for _ in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
  echo "FAIL: round $((i + 1)): still running 10 s after $1"
  kill -9 -- "-$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -f /dev/shm/hogwild-"$pid"-* /dev/shm/sem.hogwild-"$pid"-*
  exit 1
}
