#!/bin/bash
# Second call of 2026-11-26 (another machine of the same kind; its lscpu: machine_2.txt). Binaries as in
# device_script.sh: pre = 1df1022, new = the release build of ebaa609 (bench_overhead with its section 5).
# Device measurements 2, 2026-11-26: bench_overhead with the uncontended section; kernel at λ = 0 and 1;
# λ = 0 before/after the identity skip on the 500k-row sets.
set -u
D=$PWD/.dev
export LD_LIBRARY_PATH=$D/lib
chmod +x $D/*/hogwild-coordinator $D/new/*
{ nproc; lscpu | grep -E "Model name|^CPU\(s\)|Thread|NUMA node\(s\)"; uptime; } > $OUT/machine.txt
{ for l in 1 0; do $D/new/bench_kernel --kernel-only --epochs 5 --repeat 10 --lambda $l; echo; done; } > $OUT/kernel.txt 2>&1
echo "kernel done $(date +%T)" >> $OUT/progress.txt
timeout 240 $D/new/bench_overhead --epochs 5 --tiny $D/new/tiny_static --out $OUT/bench_overhead.csv > $OUT/bench_overhead.txt 2>&1
echo "overhead rc=$? $(date +%T)" >> $OUT/progress.txt
for b in pre new; do
  python3 tests/bench/scaling.py --coordinator $D/$b/hogwild-coordinator --only synthetic-500k,synthetic-500k-wide \
    --workers 1,4,16 --configs "async fork run shared" --epochs-scale 0.5 --extra "--lambda 0" \
    --out $OUT/lambda0_500k_$b.csv > /dev/null 2>> $OUT/progress.txt
  echo "500k $b done $(date +%T)" >> $OUT/progress.txt
done
cat $OUT/progress.txt
