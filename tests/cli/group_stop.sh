#!/usr/bin/env bash
# group_stop.sh ROUNDS COMMAND...: ROUNDS times, starts COMMAND in its own process group, waits for
# its first epoch line and a few random milliseconds more, and signals the whole group (SIGINT,
# SIGHUP, SIGTERM in turn), as Ctrl-C or a closed terminal does; each run must end with 130 within
# 10 s and leave nothing in /dev/shm. Sync workers were once killed inside a send on the ready
# queue, leaving its mutex locked and the coordinator waiting on it for ever (about 1 run in 20).
set -u
source "$(dirname "$0")/rounds_lib.sh"
rounds=$1
shift
signals=(INT HUP TERM)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((i = 0; i < rounds; i++)); do
  sig=${signals[i % 3]}
  start_run "$out" "$@"
  kill -s "$sig" -- "-$pid"
  must_end "SIG$sig"
  wait "$pid"
  rc=$?
  if [[ $rc -ne 130 ]]; then echo "FAIL: round $((i + 1)) (SIG$sig): exit code $rc, expected 130"; cat "$out"; exit 1; fi
  left=$(ls /dev/shm 2>/dev/null | grep -E "^hogwild-$pid-" || true)
  if [[ -n $left ]]; then echo "FAIL: round $((i + 1)): left in /dev/shm: $left"; exit 1; fi
done
echo "$rounds group signals, each run ended with 130 and left nothing behind"
