#!/usr/bin/env bash
# --distributed scenarios for CTest (docs/distributed.md, docs/testing.md). Ranks run on this
# machine: mpirun --oversubscribe, as root with Open MPI's two opt-in variables.
#   mpi_test.sh sync-equal  RANKS MPIRUN COORD [flags]  distributed sync == local sync with the
#                                                       same global batch (--emulate-ranks): bit for
#                                                       bit, or to 1e-12 with --sync-exchange maps
#   mpi_test.sh async-close RANKS MPIRUN COORD [flags]  distributed async test error within 1 point
#                                                       of a single-machine async run
#   mpi_test.sh rank-fault  RANKS MPIRUN COORD [flags]  a worker of rank 1 dies: exit 1, a message
#                                                       naming the rank, nothing left in /dev/shm
# Exit 77 (skipped) when the data files named in the flags are missing.
set -uo pipefail
what=$1 ranks=$2 mpirun=$3 coord=$4
shift 4
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
for a in "$@"; do
  [[ $a == /* && ! -e $a ]] && { echo "skipped: $a is missing"; exit 77; }
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
run_mpi() { "$mpirun" --oversubscribe -np "$ranks" "$coord" --distributed "$@"; }
workers_of() { local w=2 prev=""; for a in "$@"; do [[ $prev == --workers ]] && w=$a; prev=$a; done; echo "$w"; }
test_error() { sed -n 's/^done: .*test error \([0-9.]*\)%.*/\1/p' "$1"; }

case $what in
  sync-equal)
    w=$(workers_of "$@")
    run_mpi --mode sync --save-model "$dir/d.model" "$@" >"$dir/d.out" 2>&1 || { cat "$dir/d.out"; exit 1; }
    # The same flags on one machine with W·R workers, in the distributed run's example order.
    # (--sync-exchange is how ranks exchange a step: one machine has no exchange and refuses it.)
    local_args=() prev=""
    for a in "$@"; do
      if [[ $a == --sync-exchange || $prev == --sync-exchange ]]; then prev=$a; continue; fi
      [[ $prev == --workers ]] && a=$((w * ranks))
      local_args+=("$a")
      prev=$a
    done
    [[ " $* " == *" --workers "* ]] || local_args+=(--workers $((w * ranks)))
    "$coord" --mode sync --emulate-ranks "$ranks" --save-model "$dir/l.model" "${local_args[@]}" >"$dir/l.out" 2>&1 ||
      { cat "$dir/l.out"; exit 1; }
    tail -n 1 "$dir/d.out" "$dir/l.out"
    # Both model files: a header, "weights", then one weight per line.
    # --sync-exchange rows (the default) must be bit-identical; maps equal to 1e-12.
    tol=0
    [[ " $* " == *" --sync-exchange maps "* ]] && tol=1e-12
    paste <(sed '1,/^weights$/d' "$dir/d.model") <(sed '1,/^weights$/d' "$dir/l.model") | awk -v tol="$tol" '
      { n++; d = $1 - $2; if (d < 0) d = -d; if (d > max) max = d; a = $1 < 0 ? -$1 : $1; if (a > big) big = a }
      END { printf "%d weights, max |distributed - local| = %.3g (max |w| = %.3g)\n", n, max, big;
            exit !(n > 0 && max <= tol) }'
    ;;
  async-close)
    run_mpi --mode async "$@" >"$dir/d.out" 2>&1 || { cat "$dir/d.out"; exit 1; }
    "$coord" --mode async "$@" >"$dir/l.out" 2>&1 || { cat "$dir/l.out"; exit 1; }
    tail -n 1 "$dir/d.out" "$dir/l.out"
    d=$(test_error "$dir/d.out") l=$(test_error "$dir/l.out")
    awk -v d="$d" -v l="$l" 'BEGIN { printf "test error: distributed %s%%, one machine %s%%\n", d, l;
                                     exit !(d != "" && l != "" && d - l <= 1.0) }'
    ;;
  rank-fault)
    # The ranks are mpirun's children: note their pids while the job runs, to check afterwards
    # that none of their /dev/shm entries is left (other tests running at the same time may have
    # entries of their own, even of dead processes on purpose).
    "$mpirun" --oversubscribe -np "$ranks" "$coord" --distributed "$@" --inject-fault 1:2:kill --fault-rank 1 \
      >"$dir/d.out" 2>&1 &
    job=$!
    pids=""
    while kill -0 "$job" 2>/dev/null; do
      for p in $(pgrep -P "$job"); do [[ " $pids " == *" $p "* ]] || pids+=" $p"; done
      sleep 0.02
    done
    wait "$job"
    rc=$?
    grep -v '^epoch' "$dir/d.out" | head -20
    status=0
    [[ $rc -eq 1 ]] || { echo "FAIL: mpirun exited with $rc, expected 1"; status=1; }
    grep -q "rank 1 of $ranks .*worker 1 (pid [0-9]*) in epoch 2 was killed by signal 9" "$dir/d.out" ||
      { echo "FAIL: no message naming rank 1 and its worker"; status=1; }
    [[ -n $pids ]] || { echo "FAIL: no rank process seen"; status=1; }
    for p in $pids; do
      for _ in $(seq 1 50); do  # the guardians work as the ranks' workers die: give them a moment
        left=$(ls /dev/shm | grep -E "^(sem\.)?hogwild-$p-" || true)
        [[ -z $left ]] && break
        sleep 0.1
      done
      for f in $left; do echo "FAIL: /dev/shm/$f left behind by rank pid $p"; status=1; done
    done
    exit $status
    ;;
  *) echo "unknown scenario $what"; exit 2 ;;
esac
