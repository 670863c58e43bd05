#!/usr/bin/env bash
# Installs whatever payops needs that is missing (Debian packages only, apt-get only for absent ones)
# and builds it. Idempotent: a second run installs nothing and rebuilds only what changed.
#
#   scripts/setup.sh                      build deps + Release-ish build in ./build
#   scripts/setup.sh --with-tests         also the packages the test suite uses
#   scripts/setup.sh --build-dir D -- -DPAYOPS_WERROR=ON    extra CMake arguments after --
#   scripts/setup.sh --target agent       build only these targets (repeatable)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir="$root/build"
with_tests=0
targets=()
cmake_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --with-tests) with_tests=1 ;;
    --build-dir) build_dir=$2; shift ;;
    --target) targets+=(--target "$2"); shift ;;
    --) shift; cmake_args=("$@"); break ;;
    *) echo "setup.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

packages=(g++ cmake ninja-build ccache pkg-config libcli11-dev nlohmann-json3-dev libfccp-dev libfmt-dev
          libcurl4-openssl-dev doctest-dev libnats-dev nats-server)
# libnats-dev: the fleet tool's NATS client (linked into `fleet` only); nats-server: the fleet's
# JetStream nodes (examples/fleet, the fleet test, bench/fleet_bench.sh).
if [ "$with_tests" = 1 ]; then
  # python3: the fake OpenAI-compatible server on 127.0.0.1 and result checks; util-linux: flock(1)
  # and script(1); tmux: the live view in a pseudo-terminal; clang + libfuzzer: the fuzz targets;
  # gawk, miller, sqlite3: the bench smoke test's peers; chromium: rendering the drill report.
  # logrotate: the rotation test runs examples/logrotate/payops for real.
  packages+=(python3 jq util-linux bsdutils procps tmux clang libfuzzer-14-dev libclang-rt-14-dev gawk miller
             sqlite3 chromium logrotate)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  if [ "$(id -u)" != 0 ]; then
    echo "setup: need root to install packages (run as root, or install them yourself)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" "${targets[@]}"
echo "setup: built payops in $build_dir" >&2
