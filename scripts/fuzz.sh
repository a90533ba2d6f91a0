#!/usr/bin/env bash
# scripts/fuzz.sh -- build the wire-decoder fuzz target with clang (build-fuzz/, separate
# from the GCC build) and run it for a bounded time over transport/fuzz/corpus/.
#   scripts/fuzz.sh            # 30 s (what `make test` runs)
#   FUZZ_SECONDS=600 scripts/fuzz.sh
#   scripts/fuzz.sh --seeds    # rewrite transport/fuzz/corpus/ from valid messages
# A crash leaves its input in build-fuzz/ (crash-*) and fails the script.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${FUZZ_BUILD:-build-fuzz}"
SECONDS_TO_RUN="${FUZZ_SECONDS:-30}"

command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (scripts/setup.sh installs it)"; exit 1; }
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S transport/fuzz -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$BUILD" -j "${FUZZ_JOBS:-2}"

if [ "${1:-}" = "--seeds" ]; then
  SHOAL_FUZZ_SEEDS="$ROOT/transport/fuzz/corpus" "$BUILD/decode_fuzz"
  ls -l transport/fuzz/corpus
  exit 0
fi

mkdir -p "$BUILD/corpus"
# New inputs go to the first directory (build-fuzz/corpus); the checked-in seeds stay as they are.
cd "$BUILD"
./decode_fuzz -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 corpus "$ROOT/transport/fuzz/corpus" 2>&1 | tail -n 60
