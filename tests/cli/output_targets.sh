#!/usr/bin/env bash
# output_targets.sh COORDINATOR DATA_DIR: outputs given as symbolic links, and as files that are not
# regular files.
#  1. A link to a file not yet written, given beside that file's own name for a second output,
#     is the same file: exit 2 naming both flags (weakly_canonical leaves a dangling link as it
#     is, so this ran and both outputs went to one file).
#  2. A link as --metrics (its target not yet written) is written where it points, and stays a
#     link (the rename of the temporary went over the link and replaced it with a file).
#  3. A FIFO as --save-model is written through and stays a FIFO (the rename replaced it with a
#     regular file; run as root, `--save-model /dev/null` replaced the machine's /dev/null).
#  4. An output over the IDX labels file found next to the --train images (not named by
#     --train-labels) is refused like one over a named input: it replaced the labels.
set -u
coord=$1
data=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" && mkdir out
ln -s out/a.csv link.csv
out=$("$coord" --mode serial --epochs 1 --quiet --metrics link.csv --save-model out/a.csv 2>&1)
rc=$?
if [[ $rc -ne 2 ]] || ! grep -q -- "--save-model: 'out/a.csv' is the same file as --metrics 'link.csv'" <<<"$out"; then
  echo "FAIL 1: exit $rc (expected 2 naming both flags)"; echo "$out"; exit 1
fi
[[ -e out/a.csv ]] && { echo "FAIL 1: out/a.csv written by a refused run"; exit 1; }
out=$("$coord" --mode serial --epochs 2 --quiet --metrics link.csv 2>&1)
rc=$?
if [[ $rc -ne 0 ]]; then echo "FAIL 2: exit $rc"; echo "$out"; exit 1; fi
[[ -L link.csv ]] || { echo "FAIL 2: link.csv is no longer a symbolic link"; ls -l; exit 1; }
rows=$(wc -l < out/a.csv)
[[ $rows -eq 3 ]] || { echo "FAIL 2: out/a.csv has $rows lines (expected a header and 2 epochs)"; exit 1; }
ls | grep -q '\.tmp$' && { echo "FAIL: a temporary was left"; ls; exit 1; }
ls out | grep -q '\.tmp$' && { echo "FAIL: a temporary was left in out/"; ls out; exit 1; }
mkfifo pipe
cat pipe > got &
reader=$!
out=$(timeout -s KILL 30 "$coord" --mode serial --epochs 1 --quiet --save-model pipe 2>&1)
rc=$?
if [[ $rc -ne 0 ]]; then kill "$reader" 2>/dev/null; echo "FAIL 3: exit $rc"; echo "$out"; exit 1; fi
wait "$reader"
[[ -p pipe ]] || { echo "FAIL 3: the FIFO was replaced"; ls -l; exit 1; }
head -n 1 got | grep -q '^hogwild-model' || { echo "FAIL 3: the reader got no model"; head -c 200 got; exit 1; }
# 3b. A FIFO nobody reads: the run waits for a reader, and a stop signal ends the wait (the
#     stop signals are blocked in the coordinator: a blocking open() could not be interrupted).
#     --predictions the same (it was written with a plain fopen, which waited for ever, SIGINT
#     blocked: only SIGKILL ended it).
for flag in --metrics --predictions; do
  rm -f pipe.csv && mkfifo pipe.csv
  "$coord" --mode serial --epochs 1 --train "$data/good.svm" --test "$data/good.svm" --no-cache --quiet "$flag" pipe.csv \
    > out3b 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do grep -q "waiting for a reader" out3b && break; sleep 0.05; done
  grep -q -- "$flag: waiting for a reader of the FIFO 'pipe.csv'" out3b || { echo "FAIL 3b $flag: no wait line"; cat out3b; }
  kill -INT "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; echo "FAIL 3b $flag: still waiting 5 s after SIGINT"; cat out3b; exit 1; fi
  wait "$pid"
  rc=$?
  [[ $rc -eq 130 ]] || { echo "FAIL 3b $flag: exit $rc (expected 130)"; cat out3b; exit 1; }
  left=$(ls /dev/shm 2>/dev/null | grep -E "^(sem\.)?hogwild-$pid-" || true)
  [[ -z $left ]] || { echo "FAIL 3b $flag: left in /dev/shm: $left"; exit 1; }
done
# 3c. /dev/stdout with standard output redirected to a file: the model (the predictions) are
#     appended to the report (the rename replaced the file, and the report lines were lost; for
#     --predictions, fopen truncated the file and the report overwrote the predictions).
"$coord" --mode serial --epochs 1 --quiet --save-model /dev/stdout > log.txt 2>&1 || { echo "FAIL 3c: exit $?"; exit 1; }
grep -q '^hogwild: mode serial' log.txt && grep -q '^hogwild-model' log.txt ||
  { echo "FAIL 3c: log.txt lost the report or the model"; head -5 log.txt; exit 1; }
"$coord" --mode serial --epochs 1 --train "$data/good.svm" --test "$data/good.svm" --no-cache --quiet \
  --predictions /dev/stdout > log.txt 2>&1 || { echo "FAIL 3c --predictions: exit $?"; exit 1; }
n=$(grep -cE '^-?1$' log.txt)
grep -q '^hogwild: mode serial' log.txt && grep -q '^done:' log.txt && [[ $n -eq 3 ]] ||  # (good.svm: 3 rows)
  { echo "FAIL 3c --predictions: log.txt has $n predictions or lost the report"; cat log.txt; exit 1; }
cp "$data/small-images-idx3-ubyte" "$data/small-labels-idx1-ubyte" .
out=$("$coord" --train small-images-idx3-ubyte --mode serial --epochs 1 --quiet --no-cache --save-model small-labels-idx1-ubyte 2>&1)
rc=$?
if [[ $rc -ne 2 ]] || ! grep -q "same file as" <<<"$out"; then echo "FAIL 4: exit $rc"; echo "$out"; exit 1; fi
cmp -s small-labels-idx1-ubyte "$data/small-labels-idx1-ubyte" || { echo "FAIL 4: the labels file changed"; exit 1; }
echo "ok"
