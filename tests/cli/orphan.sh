#!/usr/bin/env bash
# orphan.sh COMMAND...: starts a coordinator, SIGKILLs it once it has worker processes, and checks
# that the workers die with it (PR_SET_PDEATHSIG, and run-long workers' parent check). A SIGKILLed
# coordinator cannot remove its segment; this script does.
set -u
"$@" >/dev/null 2>&1 &
cp=$!
kids=""
for _ in $(seq 1 200); do
  if pgrep -P "$cp" >/dev/null; then
    sleep 0.3  # let the other workers start
    kids=$(pgrep -P "$cp" | tr '\n' ' ')
    break
  fi
  sleep 0.05
done
kill -9 "$cp"
wait "$cp" 2>/dev/null
rm -f /dev/shm/hogwild-"$cp"-*
if [[ -z $kids ]]; then echo "FAIL: no worker processes seen"; exit 1; fi
for _ in $(seq 1 60); do
  alive=0
  for k in $kids; do
    st=$(ps -o stat= -p "$k" 2>/dev/null)
    [[ -n $st && $st != Z* ]] && alive=1  # a zombie has exited (reaping is up to init)
  done
  if [[ $alive == 0 ]]; then echo "workers $kids gone with the coordinator"; exit 0; fi
  sleep 0.05
done
echo "FAIL: workers $kids survived the coordinator"
exit 1
