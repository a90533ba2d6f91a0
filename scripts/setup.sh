#!/usr/bin/env bash
# scripts/setup.sh -- install what shoal needs to build and test; idempotent and
# fast when everything is already there. Meant for Debian 12, run as root (or a
# user with sudo).
#
#   1. Debian packages (checked with dpkg-query; apt-get only if some are missing)
#   2. .venv created with python3 (>= 3.10) if missing or broken
#   3. python/requirements-dev.txt installed into .venv (stamp: .venv/.shoal-deps)
#   4. .venv/.../site-packages/shoal.pth -> <repo>/python, so `import shoal` works
#   5. .venv/bin/shoal: the cluster command line (python -m shoal)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
REQS="$ROOT/python/requirements-dev.txt"

log() { printf '[setup] %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi

APT_UPDATED=0
apt_install() {
  # apt_install pkg... : install the given packages (apt-get update once per run)
  [ "$#" -gt 0 ] || return 0
  export DEBIAN_FRONTEND=noninteractive
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  $SUDO apt-get install -y -qq --no-install-recommends "$@"
}

pkg_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# --- 1. Debian packages -------------------------------------------------------
DEB_PKGS=(build-essential cmake ninja-build pkg-config
          libcaf-dev libzmq3-dev cppzmq-dev libmsgpack-cxx-dev
          libopenblas-dev libgtest-dev googletest
          libsodium-dev clang libclang-rt-dev)
missing=()
for p in "${DEB_PKGS[@]}"; do
  pkg_installed "$p" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
else
  log "Debian packages: all present"
fi

# --- 2. Python and the venv ---------------------------------------------------
py_ok() {  # py_ok <python>: is it >= 3.10?
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' >/dev/null 2>&1
}

venv_ok() {
  [ -x "$VENV/bin/python" ] && py_ok "$VENV/bin/python" \
    && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

if ! venv_ok; then
  PY=""
  for cand in python3 python3.13 python3.12 python3.11 python3.10; do
    if command -v "$cand" >/dev/null 2>&1 && py_ok "$cand"; then
      PY="$(command -v "$cand")"; break
    fi
  done
  if [ -z "$PY" ]; then
    apt_install python3 python3-venv python3-dev
    PY="$(command -v python3)"
  fi
  # Debian's python lacks ensurepip unless python3-venv (python3.X-venv) is installed.
  if ! "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    ver="$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    apt_install python3-venv "python${ver}-venv"
  fi
  log "creating .venv with $PY ($("$PY" --version 2>&1))"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"

# The pybind11 module needs Python.h (Debian: python3-dev; pyenv builds have it).
if ! "$VPY" -c 'import os, sys, sysconfig; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)'; then
  ver="$("$VPY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
  apt_install python3-dev "python${ver}-dev"
fi

# --- 3. Python packages (stamp = hash of the requirements + python version) ----
want="$( { cat "$REQS"; "$VPY" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
have="$(cat "$VENV/.shoal-deps" 2>/dev/null || true)"
if [ "$want" != "$have" ]; then
  log "pip install -r python/requirements-dev.txt"
  "$VPY" -m pip install --disable-pip-version-check -q -r "$REQS"
  echo "$want" > "$VENV/.shoal-deps"
else
  log "Python packages: up to date"
fi

# --- 4. shoal.pth: the in-tree package on sys.path ----------------------------
site="$("$VPY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
if [ "$(cat "$site/shoal.pth" 2>/dev/null || true)" != "$ROOT/python" ]; then
  echo "$ROOT/python" > "$site/shoal.pth"
  log "wrote $site/shoal.pth"
fi

# --- 5. .venv/bin/shoal: the cluster command line (python -m shoal) -------------
if [ ! -x "$VENV/bin/shoal" ] || ! grep -q "python -m shoal" "$VENV/bin/shoal" 2>/dev/null; then
  printf '#!/bin/sh\n# the shoal command line: shoal start/status/stop/run (python/shoal/cli.py)\nexec "%s" -m shoal "$@"\n' "$VPY" > "$VENV/bin/shoal"
  chmod +x "$VENV/bin/shoal"
  log "wrote $VENV/bin/shoal"
fi

log "done"
