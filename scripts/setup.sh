#!/usr/bin/env bash
# Prepares a checkout for its first run: the Debian packages the fast `native` training backend
# needs (oneDNN and a C++ toolchain), the npm packages and the native addon.
# The README's first command: `bash scripts/setup.sh && npm run demo`.
#
# It says what it will install before it does. It installs Debian packages only where apt-get
# exists and it may use it without a password (root, or passwordless sudo); elsewhere it prints
# the command to run and carries on: training then falls back to the `wasm` backend.
# RESBUILDER_SKIP_APT=1 skips the Debian packages; RESBUILDER_SKIP_NPM=1 skips `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }

# What the native backend's build needs: oneDNN's headers and library, a C++ compiler, make, and
# python3 for node-gyp.
missing_packages() {
  local wanted=(libdnnl-dev g++ make python3)
  command -v dpkg-query >/dev/null 2>&1 || { printf '%s\n' "${wanted[@]}"; return; }
  for pkg in "${wanted[@]}"; do
    if [ "$pkg" = g++ ] && { command -v c++ >/dev/null 2>&1 || command -v g++ >/dev/null 2>&1; }; then continue; fi
    if [ "$pkg" = make ] && command -v make >/dev/null 2>&1; then continue; fi
    if [ "$pkg" = python3 ] && command -v python3 >/dev/null 2>&1; then continue; fi
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
  done
}

install_debian_packages() {
  local packages
  mapfile -t packages < <(missing_packages)
  if [ "${#packages[@]}" -eq 0 ]; then
    say "the native backend's Debian packages are installed (libdnnl-dev, g++, make, python3)."
    return
  fi
  local command="apt-get install -y --no-install-recommends ${packages[*]}"
  if [ "${RESBUILDER_SKIP_APT:-}" = 1 ]; then
    say "RESBUILDER_SKIP_APT=1: not installing ${packages[*]}. Training will use the slower wasm backend until you run: sudo $command"
    return
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    say "the fast native backend needs oneDNN and a C++ compiler, and this is not a Debian-like system."
    say "install oneDNN (headers and library), a C++17 compiler, make and python3, then run: node scripts/build-native.js"
    say "until then training uses the wasm backend (slower, works everywhere)."
    return
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      say "the fast native backend needs these Debian packages: ${packages[*]}"
      say "installing them needs root; run:  sudo apt-get update && sudo $command"
      say "then:  node scripts/build-native.js   (until then training uses the slower wasm backend)"
      return
    fi
  fi
  say "installing the native backend's Debian packages: ${packages[*]} (${sudo[*]:+${sudo[*]} }apt-get update, then $command)"
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo[@]}" apt-get update -qq || ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; then
    say "apt-get failed; training will use the wasm backend. To retry: ${sudo[*]:+sudo }apt-get update && ${sudo[*]:+sudo }$command"
    return
  fi
  say "installed ${packages[*]}."
}

install_debian_packages

if [ "${RESBUILDER_SKIP_NPM:-}" = 1 ]; then
  say "RESBUILDER_SKIP_NPM=1: not running npm ci."
else
  say "installing the npm packages (npm ci)."
  npm ci --no-audit --no-fund --loglevel=error
fi

# npm ci builds the addon from its install script; a checkout whose node_modules were already
# there, or whose Debian packages arrived after it, gets it built here.
if [ ! -f native/build/Release/resbuilder_native.node ]; then
  say "building the native backend."
  node scripts/build-native.js
else
  say "the native backend is built (native/build/Release/resbuilder_native.node)."
fi

if [ -f native/build/Release/resbuilder_native.node ]; then
  say "done: training will use the native backend. Next: npm run demo"
else
  say "done, without the native backend: training will use wasm. Next: npm run demo"
fi
