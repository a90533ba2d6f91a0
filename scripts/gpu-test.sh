#!/usr/bin/env bash
# Builds shoal with CUDA and runs every test, GPU-labelled ones included, on a machine with
# a GPU (`make gpu-test`). On the lent GPU machine, which lacks CAF, ZeroMQ, msgpack,
# OpenBLAS and GoogleTest, first run ../shared/device/prepare here (with the extra packages
# named in docs/gpu.md), send .devkit/ along, and this script picks it up.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -f .devkit/env.sh ]; then
  # shellcheck disable=SC1091
  source .devkit/env.sh
  export LD_LIBRARY_PATH="$DEVKIT_PREFIX/usr/lib/x86_64-linux-gnu/openblas-pthread:$LD_LIBRARY_PATH"
fi
export NCCL_NVLS_ENABLE=0   # NVLink multicast stays off on shared multi-GPU hosts
PY=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || command -v python3 )}
export BUILD=${BUILD:-build-gpu}  # exported: bench scripts under pytest find their binaries there
ARCH=${CUDA_ARCH:-90}
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSHOAL_WITH_CUDA=ON \
    -DCMAKE_CUDA_ARCHITECTURES="$ARCH" -DPython_EXECUTABLE="$(command -v "$PY" || echo "$PY")" \
    -Dpybind11_DIR="$("$PY" -m pybind11 --cmakedir)"
fi
cmake --build "$BUILD" -j "$(nproc)"
rc=0
ctest --test-dir "$BUILD" --output-on-failure --timeout 600 "$@" || rc=1
if "$PY" -c "import pytest" 2>/dev/null; then
  PYTHONPATH="$PWD/python${PYTHONPATH:+:$PYTHONPATH}" "$PY" -m pytest tests/python -q -p no:cacheprovider || rc=1
  # The GPU sessions once more through the NCCL communicator, which one GPU joins only when
  # asked to (SHOAL_COLLECTIVE_MIN=1; several GPUs use it by default): full reductions by
  # all-reduce, and the GPU actor's pieces of its own shards sent to itself over NCCL
  # (SHOAL_NCCL_LOCAL=1), the path pieces between GPUs take.
  SHOAL_COLLECTIVE_MIN=1 SHOAL_NCCL_LOCAL=1 PYTHONPATH="$PWD/python${PYTHONPATH:+:$PYTHONPATH}" \
    "$PY" -m pytest tests/python -q -m gpu -p no:cacheprovider || rc=1
else
  echo "gpu-test: pytest is not installed for $PY; Python tests skipped"
fi
exit $rc
