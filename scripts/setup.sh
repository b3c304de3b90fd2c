#!/usr/bin/env bash
# Installs everything the project's tests and local runs need beyond the Rust
# toolchain. Idempotent and fast when everything is present: each step checks
# before it installs. Every other script and CI calls this first.
#
# Usage: scripts/setup.sh [--no-browser]
#   --no-browser   skip Chromium and the npm packages of tests/browser
#
# What it installs:
#   Debian packages   poppler-utils (pdftoppm, for report checks), jq (test scripts), chromium (browser tests)
#   $ROOT/.venv       moto[server] (AWS emulator: moto_server), cfn-lint, cargo-lambda,
#                     ziglang (cargo-lambda's cross linker), schemathesis (API fuzzing),
#                     XlsxWriter
#   tests/browser     npm packages, when tests/browser/package.json exists
#   publishers/typescript  npm packages of the TypeScript publisher (its tests)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
BROWSER_DIR="$ROOT/tests/browser"
PUBLISHER_DIR="$ROOT/publishers/typescript"

# Python packages, pinned to a major version (ziglang: a minor range, since
# Zig releases break cargo-zigbuild more often than semver suggests).
PY_REQUIREMENTS=(
  "moto[server]>=5,<6"
  "cfn-lint>=1,<2"
  "cargo-lambda>=1,<2"
  "ziglang>=0.13,<0.15"
  "schemathesis>=4,<5"
  "XlsxWriter>=3,<4"
)
# Entry points that must exist in the venv after installing.
PY_BINARIES=(moto_server cfn-lint cargo-lambda schemathesis)

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; }

with_browser=1
for arg in "$@"; do
  case "$arg" in
    --no-browser) with_browser=0 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# --- Debian packages ---------------------------------------------------------
apt_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

install_debian_packages() {
  local wanted=(poppler-utils jq)
  ((with_browser)) && wanted+=(chromium)
  # Debian's own python3 needs python3-venv for `python3 -m venv` (ensurepip).
  if ! venv_complete && ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    wanted+=(python3-venv)
  fi
  local missing=()
  for pkg in "${wanted[@]}"; do
    apt_installed "$pkg" || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    log "debian packages present (${wanted[*]})"
    return
  fi
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
  log "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- Python venv -------------------------------------------------------------
# A stamp of the requirement list lets a second run skip pip entirely.
venv_stamp="$VENV/.setup-requirements"

venv_complete() {
  [[ -x "$VENV/bin/python" ]] || return 1
  [[ -f "$venv_stamp" ]] && [[ "$(cat "$venv_stamp")" == "${PY_REQUIREMENTS[*]}" ]] || return 1
  local bin
  for bin in "${PY_BINARIES[@]}"; do
    [[ -x "$VENV/bin/$bin" ]] || return 1
  done
  # The venv's interpreter must still run (a moved or upgraded Python breaks
  # it); find_spec checks the packages without paying for their imports.
  "$VENV/bin/python" -c '
import importlib.util, sys
sys.exit(not all(importlib.util.find_spec(m) for m in ("moto", "cfnlint", "xlsxwriter", "ziglang")))
' 2>/dev/null
}

install_python_packages() {
  if venv_complete; then
    log "python venv up to date ($VENV)"
    return
  fi
  if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c '' 2>/dev/null; then
    log "creating python venv at $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
  fi
  log "pip install ${PY_REQUIREMENTS[*]}"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PY_REQUIREMENTS[@]}"
  local bin
  for bin in "${PY_BINARIES[@]}"; do
    if [[ ! -x "$VENV/bin/$bin" ]]; then
      # pip does not restore the entry points of an already-satisfied package.
      log "$bin missing from the venv; reinstalling the top-level packages"
      "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        --force-reinstall --no-deps "${PY_REQUIREMENTS[@]}"
      break
    fi
  done
  for bin in "${PY_BINARIES[@]}"; do
    [[ -x "$VENV/bin/$bin" ]] || die "pip install did not provide $VENV/bin/$bin"
  done
  printf '%s' "${PY_REQUIREMENTS[*]}" >"$venv_stamp"
  log "python venv ready: $("$VENV/bin/cfn-lint" --version), $("$VENV/bin/cargo-lambda" lambda --version 2>&1 | head -n1)"
}

# --- npm (browser tests) -----------------------------------------------------
install_browser_packages() {
  if [[ ! -f "$BROWSER_DIR/package.json" ]]; then
    log "no tests/browser/package.json; skipping npm"
    return
  fi
  if [[ -d "$BROWSER_DIR/node_modules" ]]; then
    log "npm packages present (tests/browser/node_modules)"
    return
  fi
  command -v npm >/dev/null || die "npm not found; install nodejs"
  # Browser binaries come from Debian's chromium: the tools' own downloads
  # reach hosts other than the package registries and would fail.
  export PUPPETEER_SKIP_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  if [[ -f "$BROWSER_DIR/package-lock.json" ]]; then
    log "npm ci in tests/browser"
    npm ci --prefix "$BROWSER_DIR" --no-audit --no-fund --loglevel=error
  else
    log "npm install in tests/browser (no package-lock.json)"
    npm install --prefix "$BROWSER_DIR" --no-audit --no-fund --loglevel=error
  fi
}

# --- npm (TypeScript publisher) ---------------------------------------------
install_publisher_packages() {
  if [[ -d "$PUBLISHER_DIR/node_modules" && ! "$PUBLISHER_DIR/package-lock.json" -nt "$PUBLISHER_DIR/node_modules/.package-lock.json" ]]; then
    log "npm packages present (publishers/typescript/node_modules)"
    return
  fi
  command -v npm >/dev/null || die "npm not found; install nodejs"
  log "npm ci in publishers/typescript"
  npm ci --prefix "$PUBLISHER_DIR" --no-audit --no-fund --loglevel=error
}

start=$SECONDS
install_debian_packages
install_python_packages
if ((with_browser)); then
  install_browser_packages
else
  log "--no-browser: skipping chromium and tests/browser npm"
fi
install_publisher_packages
log "done in $((SECONDS - start))s"
