#!/usr/bin/env bash
# Installs the GPU backend (@tensorflow/tfjs-node-gpu) and measures it, in one command, on a
# machine with an NVIDIA GPU, its driver, CUDA 11.2 and cuDNN 8.1 (docs/gpu.md):
#
#   bash bench/gpu-check.sh            # from the repository, after npm ci
#
# 1. `resbuilder backends install tensorflow-gpu` into the per-user private folder (or
#    $RESBUILDER_BACKEND_MODULES when set), which ends with the backend probed;
# 2. `resbuilder backends`: the doctor's table (and bench-results/gpu-doctor.json);
# 3. `npm run bench:engine` on tensorflow-gpu, tensorflow-gpu's competitors native and wasm, and
#    PyTorch when it is installed (bench-results/gpu-engine.json).
# Environment: BENCH_SECONDS, BENCH_MODELS, … as for bench:engine (docs/benchmarks.md);
# TFJS_NODE_CDN_STORAGE etc. for an install without internet access (docs/gpu.md).
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p bench-results
npm run --silent build
CLI=(node bin/resbuilder.js)
DIR_ARGS=()
if [ -n "${RESBUILDER_BACKEND_MODULES:-}" ]; then DIR_ARGS=(--dir "$RESBUILDER_BACKEND_MODULES"); fi

echo "== nvidia-smi"
nvidia-smi || echo "(nvidia-smi failed: the doctor below says what is missing)"

echo "== installing @tensorflow/tfjs-node-gpu"
if ! "${CLI[@]}" backends install tensorflow-gpu "${DIR_ARGS[@]}"; then
  echo "The install failed; see the message above (docs/gpu.md, \"Installing without internet access\")." >&2
  exit 1
fi

echo "== resbuilder backends"
"${CLI[@]}" backends --json > bench-results/gpu-doctor.json || true
"${CLI[@]}" backends || true

echo "== bench:engine on tensorflow-gpu, native, wasm"
BENCH_BACKENDS="${BENCH_BACKENDS:-tensorflow-gpu,native,wasm}" BENCH_OUT=bench-results/gpu-engine.json \
  node dist/bench/engine.js
echo "Figures: bench-results/gpu-doctor.json, bench-results/gpu-engine.json"
