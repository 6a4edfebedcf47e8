#!/usr/bin/env bash
# Communication per step of --distributed runs on this machine (docs/distributed.md): R ranks under
# mpirun --oversubscribe, one worker each, synthetic data with about 20 nonzeros per row whatever
# the dimension, over Open MPI's shared-memory transport (vader) and TCP on loopback.
# Prints a markdown table: time per collective (from the coordinator's own count) and bytes.
# Usage: tests/bench/bench_distributed.sh [COORDINATOR]   (default build/release/coordinator/...)
set -euo pipefail
coord=${1:-build/release/coordinator/hogwild-coordinator}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
echo "| transport | ranks | dims | scheme | collectives | us per collective | bytes sent per collective (rank 0) |"
echo "|---|---|---|---|---|---|---|"
for btl in vader tcp; do
  for ranks in 2 3; do
    for dims in 100 10000 100000; do
      density=$(awk -v d="$dims" 'BEGIN { x = 20 / d; if (x > 1) x = 1; printf "%g", x }')
      for scheme in "sync rows" "sync maps" "async"; do
        set -- $scheme
        flags=(--mode "$1")
        [[ $1 == sync ]] && flags+=(--sync-exchange "$2" --epochs 1 --rows 4000)
        # async: one average per epoch; 20 epochs so that the count means something
        [[ $1 == async ]] && flags+=(--epochs 20 --rows 4000)
        line=$(mpirun --oversubscribe --mca btl "self,$btl" -np "$ranks" "$coord" --distributed --workers 1 \
                 --dims "$dims" --density "$density" --test-rows 100 --quiet "${flags[@]}" | grep '^communication')
        calls=$(sed -E 's/.* in ([0-9]+) collectives.*/\1/' <<<"$line")
        us=$(sed -E 's/.*, ([0-9.]+) us and.*/\1/' <<<"$line")
        bytes=$(sed -E 's/.* us and ([0-9]+) bytes.*/\1/' <<<"$line")
        echo "| $btl | $ranks | $dims | $scheme | $calls | $us | $bytes |"
      done
    done
  done
done
