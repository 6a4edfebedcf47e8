#!/bin/bash
# The script that produced this folder (run with the working tree's tests/bench/scaling.py; .dev/ held
# the release binaries: pre = 1df1022 (before the identity skip), new = 7fe97ba (with it), old2 = 2b99b78
# (before the evaluation helpers), their shared libraries and the a9a and Reuters files).
# Device measurements, session of 2026-11-26 (λ = 0 skip; evaluation helpers; issue 5 ratio).
set -u
D=$PWD/.dev
export LD_LIBRARY_PATH=$D/lib
chmod +x $D/*/hogwild-coordinator
{ nproc; lscpu | grep -E "Model name|^CPU\(s\)|Thread|NUMA node\(s\)"; uptime; } > $OUT/machine.txt
S=tests/bench/scaling.py
# 1. lambda 0, shared model: before (pre) and after (new) the skip, two alternations.
for alt in 1 2; do for b in pre new; do
  python3 $S --coordinator $D/$b/hogwild-coordinator --data $D/data --only default,reuters,a9a \
    --workers 1,2,4,8,16 --configs "async fork run shared,async thread run shared,async fork epoch shared" \
    --extra "--lambda 0" --out $OUT/lambda0-$b-$alt.csv > /dev/null 2>> $OUT/errors.txt
  echo "lambda0 $b $alt done $(date +%T)" >> $OUT/progress.txt
done; done
# 2. Evaluation helpers: run-long, default data, replicas with lr x W and the shared model;
#    old2 (before the helpers) vs pre (with them); wall seconds and final test error.
{
for alt in 1 2 3; do for b in old2 pre; do for w in 1 2 4 8 16; do
  lr=$(python3 -c "print(0.001*$w)")
  t0=$(date +%s.%N)
  e=$($D/$b/hogwild-coordinator --mode async --workers $w --worker-lifetime run --replicas worker --learning-rate $lr --quiet 2>&1 | sed -n 's/.*test error \(.*\)%.*/\1/p')
  t1=$(date +%s.%N)
  echo "replicas $b $alt $w $(python3 -c "print(round($t1-$t0,4))") $e"
  t0=$(date +%s.%N)
  e=$($D/$b/hogwild-coordinator --mode async --workers $w --worker-lifetime run --quiet 2>&1 | sed -n 's/.*test error \(.*\)%.*/\1/p')
  t1=$(date +%s.%N)
  echo "shared $b $alt $w $(python3 -c "print(round($t1-$t0,4))") $e"
done; done; done
} > $OUT/evalpool.txt 2>&1
echo "evalpool done $(date +%T)" >> $OUT/progress.txt
# 3. Issue 5: the default run, per-epoch fork vs run-long, new binary, four alternations.
{ for alt in 1 2 3 4; do for lt in epoch run; do
  /usr/bin/time -f "$lt $alt %e s wall %U user %S sys" $D/new/hogwild-coordinator --mode async --workers 8 --worker-lifetime $lt --quiet 2>&1 | tail -1
done; done; } > $OUT/issue5.txt 2>&1
echo "all done $(date +%T)" >> $OUT/progress.txt
