#!/usr/bin/env bash
# Installs the Debian 12 packages the build needs (only those missing), then configures and builds
# the release preset into build/release. Safe to run again: it does only what is left to do.
# Usage: scripts/bootstrap.sh [PRESET]      (PRESET: release (default), dev, asan, tsan)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}

packages=(g++ cmake make libboost-dev libboost-filesystem-dev libfmt-dev doctest-dev libcli11-dev zlib1g-dev
          libopenmpi-dev openmpi-bin)  # the last two: --distributed (optional for the build)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
