#!/usr/bin/env bash
# expect.sh CODE REGEX [--signal INT|TERM] [--foreign-segment] COMMAND...
# Runs COMMAND, checks its exit code and that its stdout+stderr match REGEX, and that it left
# nothing in /dev/shm under its process id.
#   --signal S          send SIG S to the command once it has printed its first epoch line
#   --after T           ... or T seconds after it started instead (while it prepares its data)
#   --group             run it in its own process group (setsid) and send the signal to the whole
#                       group, workers included, as Ctrl-C or a closed terminal does
#   --foreign-segment   create a non-hogwild file in /dev/shm and append its name to COMMAND
#   --env NAME=VALUE    set an environment variable for COMMAND
#   --old-segment       the same with a hogwild magic number but layout version 1
set -u
code=$1 regex=$2
shift 2
signal="" after="" foreign="" old="" group=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --signal) signal=$2; shift 2 ;;
    --after) after=$2; shift 2 ;;
    --group) group=1; shift ;;
    --foreign-segment) foreign="hogwild-foreign-$$-$RANDOM"; shift ;;
    --env) export "$2"; shift 2 ;;
    --old-segment) foreign="hogwild-old-$$-$RANDOM"; old=1; shift ;;
    *) break ;;
  esac
done
out=$(mktemp)
trap 'rm -f "$out"; [[ -n $foreign ]] && rm -f /dev/shm/$foreign' EXIT
cmd=("$@")
if [[ -n $foreign ]]; then
  if [[ -n $old ]]; then
    { printf 'HOGWILD1\x01\x00\x00\x00'; head -c 4084 /dev/zero; } > /dev/shm/$foreign
  else
    head -c 4096 /dev/urandom > /dev/shm/$foreign
  fi
  before=$(md5sum < /dev/shm/$foreign)
  cmd+=("$foreign")
fi
if [[ -n $group ]]; then
  setsid "${cmd[@]}" >"$out" 2>&1 &  # (a background job is no group leader: setsid execs, same pid)
else
  "${cmd[@]}" >"$out" 2>&1 &
fi
pid=$!
if [[ -n $signal ]]; then
  if [[ -n $after ]]; then
    sleep "$after"
  else
    for _ in $(seq 1 200); do
      grep -q '^epoch' "$out" && break
      sleep 0.05
    done
  fi
  if [[ -n $group ]]; then kill -s "$signal" -- "-$pid"; else kill -s "$signal" "$pid"; fi
fi
wait "$pid"
rc=$?
cat "$out"
fail=0
if [[ $rc -ne $code ]]; then echo "FAIL: exit code $rc, expected $code"; fail=1; fi
if ! grep -Eq -- "$regex" "$out"; then echo "FAIL: output does not match /$regex/"; fail=1; fi
if [[ -n $foreign ]] && [[ $(md5sum < /dev/shm/$foreign) != "$before" ]]; then
  echo "FAIL: the worker changed /dev/shm/$foreign"; fail=1
fi
left=$(ls /dev/shm 2>/dev/null | grep -E "^hogwild-$pid-" || true)
if [[ -n $left ]]; then echo "FAIL: left in /dev/shm: $left"; fail=1; fi
if pgrep -P "$pid" >/dev/null 2>&1; then echo "FAIL: child processes still running"; fail=1; fi
exit $fail
