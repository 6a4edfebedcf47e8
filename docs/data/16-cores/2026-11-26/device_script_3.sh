#!/bin/bash
# Third and fourth calls of 2026-11-26 (the first failed on scikit-learn 1.9's refusal of 64-bit sparse
# indices, fixed in side_by_side.py before the second). Binaries: the release build of d011ce8
# (side_by_side.py --build/--data/--python/--no-install), in .dev/build; data: a9a and Reuters in .dev/data.
# Device run 3, 2026-11-26: the side-by-side benchmark on the 16-core machine (no LIBLINEAR there).
set -u
D=$PWD/.dev
export LD_LIBRARY_PATH=$D/lib
chmod +x $D/build/coordinator/* $D/build/worker/* $D/build/tests/bench/*
{ nproc; lscpu | grep -E "Model name|^CPU\(s\)|Thread|NUMA node\(s\)"; uptime; ls -la /usr/bin/time; which python3; python3 -c "import sklearn, torch; print(sklearn.__version__, torch.__version__)"; } > $OUT/machine.txt 2>&1
S="tests/bench/side_by_side.py --build $D/build --data $D/data --python $(which python3) --no-install"
timeout 120 python3 $S --quick --out $OUT/side_by_side_quick.md > $OUT/quick.log 2>&1
echo "quick rc=$? $(date +%T)" >> $OUT/progress.txt
timeout 400 python3 $S --out $OUT/side_by_side.md > $OUT/full.log 2>&1
echo "full rc=$? $(date +%T)" >> $OUT/progress.txt
cat $OUT/progress.txt
