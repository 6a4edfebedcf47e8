#!/usr/bin/env bash
# model_roundtrip.sh COORDINATOR DATA_DIR: a model saved after training scores the training file
# exactly as the run's last epoch did, for the saved model's scaling (unit and standardize on
# LIBSVM data: their offsets and factors are written into the model and applied again to the
# test rows) and for real-valued labels (least-squares: the "labels real" line, the MSE, real
# predictions). DATA_DIR is ../shared/data (heart_scale, abalone).
set -u
coord=$1
data=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
check() {  # check NAME TRAIN_FLAGS...: train, save, load, compare the error figures
  local name=$1
  shift
  out=$("$coord" --mode serial --epochs 5 --quiet --save-model "$dir/$name.model" "$@" 2>&1) || fail "$name: training: $out"
  trained=$(sed -n 's/^done: .* train error \([^,]*\),.*/\1/p' <<<"$out")
  test_file=${*: -1}
  scored=$("$coord" --load-model "$dir/$name.model" --test "$test_file" --predictions "$dir/$name.pred" 2>&1) ||
    fail "$name: scoring: $scored"
  got=$(sed -n 's/^test: .*: test \(error\|mse\) \([^ ]*\).*/\2/p' <<<"$scored")
  [[ -n $trained && $trained == "$got" ]] || fail "$name: trained $trained, the saved model scores $got: $scored"
  [[ $(wc -l < "$dir/$name.pred") == $(grep -c . "$test_file") ]] || fail "$name: one prediction per row expected"
  echo "ok: $name: $got"
}
[[ -d $data/heart_scale && -d $data/abalone ]] || { echo "skipped: no heart_scale or abalone in $data"; exit 0; }
heart=$data/heart_scale/heart_scale
abalone=$data/abalone/abalone_scale
check unit --scale unit --train "$heart"
check standardize --scale standardize --train "$heart"
grep -q '^scale standardize$' "$dir/standardize.model" && grep -q '^scale-offset ' "$dir/standardize.model" ||
  fail "standardize: no scale lines in the model"
check real --model least-squares --train "$abalone"
grep -q '^labels real$' "$dir/real.model" || fail "least-squares: no 'labels real' line"
grep -qvE '^-?[0-9]+$' "$dir/real.pred" || fail "least-squares: the predictions are all integers"
# --bias: a version 3 file with the bias line; the intercept gives standardized abalone what
# centring took away (train MSE 102.97 without it, 4.86 with it: 20 epochs).
check bias --model least-squares --scale standardize --bias 1 --train "$abalone"
grep -q '^hogwild-model 3$' "$dir/bias.model" && grep -q '^bias 1$' "$dir/bias.model" || fail "bias: no version 3 header or bias line"
without=$("$coord" --mode serial --epochs 5 --quiet --model least-squares --scale standardize --train "$abalone" 2>&1 |
  sed -n 's/^done: .* train error \([^,]*\),.*/\1/p')
with=$(sed -n 's/^test: .*: test mse \([^ ]*\).*/\1/p' <<<"$scored")
awk -v a="$with" -v b="$without" 'BEGIN { exit !(a < 10 && b > 50) }' || fail "bias: MSE $with with the intercept, $without without"
out=$("$coord" --mode serial --epochs 1 --quiet --scale standardize --train "$heart" 2>&1)
grep -q "note: --scale standardize centres every column" <<<"$out" || fail "no note on centring: $out"
out=$("$coord" --mode serial --epochs 1 --quiet --scale standardize --bias 1 --train "$heart" 2>&1)
grep -q "note: --scale standardize" <<<"$out" && fail "a note on centring with --bias: $out"
echo ok
