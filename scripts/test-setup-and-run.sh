#!/usr/bin/env bash
# Installs what the tests need (Debian packages, npm packages, the native addon, code-server for
# the end-to-end suite) and runs the whole test suite. The README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

# libdnnl-dev: the native backend's oneDNN; chromium: webview and end-to-end tests;
# libkrb5-dev and ripgrep: code-server's install; python3/make/g++: node-gyp.
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends libdnnl-dev chromium libkrb5-dev ripgrep python3 make g++ >/dev/null
# python3-torch: the export tests load the generated PyTorch module with real PyTorch (/usr/bin/python3).
$SUDO apt-get install -y -qq --no-install-recommends python3-torch >/dev/null
# slurm-wlm and munge: the Slurm tests start a real one-node cluster (scripts/slurm-test-cluster.sh).
$SUDO apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
# git: the end-to-end compare test commits an .arch.json and reads it back from git HEAD.
$SUDO apt-get install -y -qq --no-install-recommends git >/dev/null

npm ci --no-audit --no-fund
npm test
