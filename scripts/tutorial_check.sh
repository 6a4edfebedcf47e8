#!/usr/bin/env bash
# Runs docs/tutorial.md the way a student would, in a fresh copy of the repository (the tracked
# files): every ```sh block preceded by <!-- run --> is run with bash -e, every code block preceded
# by <!-- file: PATH --> is written to PATH, and the two registry lines of step 6 are added where
# the tutorial says. Fails on the first command that fails. CI runs it (.ci/run).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  echo "tutorial_check: installing python3-matplotlib (for scripts/experiments.py)" >&2
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq python3-matplotlib >/dev/null
fi

(cd "$src" && git ls-files -z | xargs -0 tar -cf -) | tar -xf - -C "$work"
mkdir -p "$work/.tutorial"
# Split the tutorial into numbered steps: NNN.sh (run) or NNN.file + NNN.path (file).
/usr/bin/python3 - "$src/docs/tutorial.md" "$work/.tutorial" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
out = sys.argv[2]
n = 0
for m in re.finditer(r'<!-- (run|file: (\S+)) -->\n```\w*\n(.*?)```', text, re.S):
    n += 1
    if m.group(1) == 'run':
        open(f'{out}/{n:03}.sh', 'w').write(m.group(3))
    else:
        open(f'{out}/{n:03}.path', 'w').write(m.group(2))
        open(f'{out}/{n:03}.file', 'w').write(m.group(3))
print(f'tutorial_check: {n} steps')
PY
cd "$work"
for step in $(ls .tutorial | sed 's/\..*//' | sort -u); do
  if [[ -f .tutorial/$step.sh ]]; then
    echo "=== tutorial step $step: run"
    sed 's/^/    /' ".tutorial/$step.sh"
    bash -e -o pipefail ".tutorial/$step.sh"  # (pipefail: a failing run before | tail is a failure)
  else
    path=$(cat ".tutorial/$step.path")
    echo "=== tutorial step $step: write $path"
    cp ".tutorial/$step.file" "$path"
    if [[ $path == shared/models/*.hpp ]]; then
      # Step 6's registry edit: the include and the X(...) entry, as the tutorial shows them.
      model=$(basename "$path" .hpp)
      sed -i "s|#include \"shared/models/svm.hpp\"|&\n#include \"$path\"|" shared/models/registry.hpp
      sed -i "s|^  /\* new models go above this line \*/|  X($model) \\\\\n&|" shared/models/registry.hpp
    fi
  fi
done
echo "tutorial_check: every step of docs/tutorial.md ran"
