#!/usr/bin/env bash
# Installs every Debian 12 package Headroom needs (build, run, tests) and builds it.
# Idempotent: packages already present are not fetched again. Works as root or with sudo.
# Usage: scripts/setup.sh [BUILD_DIR] [extra cmake -D options...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-"$here/build"}
shift || true

packages=(
  build-essential cmake ninja-build pkg-config git
  portaudio19-dev libjack-jackd2-dev libimgui-dev libglfw3-dev libepoxy-dev libstb-dev libhwy-dev
  libspdlog-dev doctest-dev libbenchmark-dev libsndfile1-dev libcli11-dev nlohmann-json3-dev
  libebur128-dev sox jackd2 jack-tools xvfb xauth xdotool python3 fonts-dejavu-core
  pipewire pipewire-bin wireplumber libpipewire-0.3-dev libspa-0.2-dev dbus-user-session
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "headroom setup: installing ${missing[*]}"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "headroom setup: need root or sudo to install packages" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  # jackd2 asks about real-time priority; answer no without a prompt.
  echo "jackd2 jackd/tweak_rt_limits boolean false" | "${sudo[@]}" debconf-set-selections
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

generator=()
command -v ninja >/dev/null && [ ! -f "$build/Makefile" ] && generator=(-G Ninja)
cmake -S "$here" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build "$build" --parallel "$(nproc)"
