#!/usr/bin/env bash
# resume_metrics.sh COORDINATOR: `--resume F --metrics M` with the flags of the run that wrote F
# and M keeps M's rows of the epochs F had finished, followed by the resumed run's rows (before,
# M was rewritten with only the resumed epochs: epochs 1-3 of a 3 + 2 run were lost). CSV and
# JSON lines; M with other columns (here --profile added) is not carried, and the run says so.
set -u
coord=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
fail() { echo "FAIL: $*"; exit 1; }
for ext in csv jsonl; do
  "$coord" --rows 200 --quiet --mode serial --epochs 3 --checkpoint r.ckpt --metrics "m.$ext" > /dev/null || fail "first run ($ext)"
  out=$("$coord" --rows 200 --quiet --mode serial --epochs 5 --checkpoint r.ckpt --resume r.ckpt --metrics "m.$ext") ||
    fail "resumed run ($ext)"
  grep -q "metrics: 3 rows of epochs 1-3 carried over from 'm.$ext'" <<<"$out" || fail "no carry line ($ext): $out"
  if [[ $ext == csv ]]; then epochs=$(tail -n +2 m.csv | cut -d, -f1 | tr '\n' ' ')
  else epochs=$(sed 's/^{"epoch":\([0-9]*\),.*/\1/' m.jsonl | tr '\n' ' '); fi
  [[ $epochs == "1 2 3 4 5 " ]] || fail "m.$ext holds epochs '$epochs', expected 1 to 5"
  rm -f r.ckpt
done
"$coord" --rows 200 --quiet --mode serial --epochs 3 --checkpoint r.ckpt --metrics p.csv > /dev/null || fail "profile: first run"
out=$("$coord" --rows 200 --quiet --mode serial --epochs 5 --checkpoint r.ckpt --resume r.ckpt --metrics p.csv --profile) ||
  fail "profile: resumed run"
grep -q "has other columns than this run writes" <<<"$out" || fail "no note for other columns: $out"
[[ $(tail -n +2 p.csv | cut -d, -f1 | tr '\n' ' ') == "4 5 " ]] || fail "p.csv: $(cat p.csv)"
# Another run's file with the same columns (another learning rate) is not carried either.
rm -f r.ckpt
"$coord" --rows 200 --quiet --mode serial --epochs 3 --checkpoint r.ckpt > /dev/null || fail "other: checkpoint run"
"$coord" --rows 200 --quiet --mode serial --epochs 3 --learning-rate 0.002 --metrics o.csv > /dev/null || fail "other: metrics run"
out=$("$coord" --rows 200 --quiet --mode serial --epochs 5 --checkpoint r.ckpt --resume r.ckpt --metrics o.csv) ||
  fail "other: resumed run"
grep -q "does not hold epochs 1-3 of the run that wrote the checkpoint" <<<"$out" || fail "no note for another run: $out"
[[ $(tail -n +2 o.csv | cut -d, -f1 | tr '\n' ' ') == "4 5 " ]] || fail "o.csv: $(cat o.csv)"
# A FIFO as the resumed run's --metrics: not read for rows to carry (opening it to read waited
# for a writer, this run, for ever).
rm -f r.ckpt
"$coord" --rows 200 --quiet --mode serial --epochs 3 --checkpoint r.ckpt > /dev/null || fail "fifo: checkpoint run"
mkfifo f.csv
cat f.csv > got.csv &
reader=$!
timeout -s KILL 30 "$coord" --rows 200 --quiet --mode serial --epochs 5 --resume r.ckpt --metrics f.csv > /dev/null ||
  { kill "$reader" 2>/dev/null; fail "fifo: resumed run exited $?"; }
wait "$reader"
[[ $(tail -n +2 got.csv | cut -d, -f1 | tr '\n' ' ') == "4 5 " ]] || fail "fifo: the reader got $(cat got.csv)"
echo ok
