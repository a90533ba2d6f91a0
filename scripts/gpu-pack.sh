#!/usr/bin/env bash
# Builds shoal with CUDA here, where nvcc compiles and links without a GPU, and packs what the
# GPU tests and benches need into .carry/gpu-build.tar.xz (about 7 MB), so that a call on the
# lent GPU machine spends its minutes on tests, not on compiling. The module is built for that
# machine's Python 3.12: one is looked for here ($PY312, python3.12, pyenv's 3.12).
#
#   scripts/gpu-pack.sh          # then, once: ../shared/device/prepare <packages in docs/gpu.md>
#   device run, carry [".devkit", ".carry"]:  bash scripts/gpu-run.sh [ctest] [pytest] [bench]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=build-gpu  # scripts/gpu-run.sh unpacks this name
is_py312() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; }
py=""
for c in "${PY312:-}" "$(command -v python3.12 || true)" /root/.pyenv/versions/3.12*/bin/python3.12; do
  if is_py312 "$c"; then py=$c; break; fi
done
[ -n "$py" ] || { echo "gpu-pack: no Python 3.12 here (set PY312=/path/to/python3.12)"; exit 2; }
venv=$BUILD/py312  # pybind11 for that Python (left out of the pack)
[ -x "$venv/bin/python" ] || { "$py" -m venv "$venv" && "$venv/bin/pip" install -q "pybind11>=2.12"; }
# Configured every time (cheap once configured): a build-gpu/ that gpu-test.sh or an older
# pack configured for another Python gets this one.
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSHOAL_WITH_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCH:-90}" -DPython_EXECUTABLE="$PWD/$venv/bin/python" \
  -Dpybind11_DIR="$("$venv/bin/python" -m pybind11 --cmakedir)" -DSHOAL_PY_EXT_DIR="$PWD/$BUILD/pyext" >/dev/null
cmake --build "$BUILD" -j "${JOBS:-$(nproc)}"
# ctest's files name this tree's absolute path: gpu-run.sh makes it exist on the device.
pwd > "$BUILD/source_root"
mkdir -p .carry
grep -qxF '/.carry/' .git/info/exclude 2>/dev/null || echo '/.carry/' >> .git/info/exclude
tar -cJf .carry/gpu-build.tar.xz --exclude='*.o' --exclude='*.a' --exclude=CMakeFiles \
  --exclude='.ninja*' --exclude=build.ninja --exclude="$BUILD/py312" \
  "$BUILD" tests/kernels/libshoal_test_kernels.so
du -h .carry/gpu-build.tar.xz
