#!/usr/bin/env bash
# On the lent GPU machine: unpacks what scripts/gpu-pack.sh built and runs, each step bounded
# and logged under $OUT (the device tool's) or gpu-logs/:
#   ctest   every gpu-labelled ctest              (at most $CTEST_S s, default 300)
#   pytest  pytest -m gpu: the gpu1 and mixed sessions and the GPU-only tests ($PYTEST_S, 300)
#   nccl    the gpu sessions again through NCCL, as make gpu-test does ($NCCL_S, 300)
#   bench   bench/bench_gpu.py against CuPy       ($BENCH_S, 120)
# Default: ctest pytest bench. Carry .devkit (../shared/device/prepare) and .carry.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tar xJf .carry/gpu-build.tar.xz || exit 1
root=$(cat build-gpu/source_root)
if [ "$root" != "$PWD" ]; then  # the packed ctest files name the tree where it was built
  mkdir -p "$(dirname "$root")"
  [ -e "$root" ] || ln -s "$PWD" "$root"
  cd "$root" || exit 1
fi
# shellcheck disable=SC1091
source .devkit/env.sh >/dev/null
export LD_LIBRARY_PATH=$DEVKIT_PREFIX/usr/lib/x86_64-linux-gnu/openblas-pthread:$LD_LIBRARY_PATH
export SHOAL_EXT_DIR=$PWD/build-gpu/pyext PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 BUILD=build-gpu
export NCCL_NVLS_ENABLE=0  # NVLink multicast stays off on shared multi-GPU hosts
logs=${OUT:-$PWD/gpu-logs}
mkdir -p "$logs"
nvidia-smi -L 2>&1 | tee "$logs/smi.txt"
rc=0
pyt() { python3 -m pytest tests/python -q -m gpu -p no:cacheprovider --maxfail=20 "$@"; }
for step in "${@:-ctest pytest bench}"; do
  for s in $step; do
    case $s in
      ctest) timeout "${CTEST_S:-300}" ctest --test-dir build-gpu -L gpu --output-on-failure > "$logs/ctest.txt" 2>&1 || rc=1
             grep -E "tests passed|tests failed|\(Failed\)|Timeout" "$logs/ctest.txt" | tail -8 ;;
      pytest) timeout "${PYTEST_S:-300}" pyt > "$logs/pytest.txt" 2>&1 || rc=1
              tail -n 3 "$logs/pytest.txt" ;;
      nccl) SHOAL_COLLECTIVE_MIN=1 SHOAL_NCCL_LOCAL=1 timeout "${NCCL_S:-300}" pyt > "$logs/pytest-nccl.txt" 2>&1 || rc=1
            tail -n 3 "$logs/pytest-nccl.txt" ;;
      bench) timeout "${BENCH_S:-120}" python3 bench/bench_gpu.py > "$logs/bench.txt" 2>&1 || rc=1
             cat "$logs/bench.txt" ;;
      *) echo "gpu-run: unknown step $s (ctest, pytest, nccl, bench)"; rc=2 ;;
    esac
  done
done
exit $rc
