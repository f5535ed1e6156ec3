#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian machine: system packages, .venv, pinned Python deps.
# Usage: scripts/bootstrap.sh runtime|dev
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-runtime}
venv=.venv

apt_install() {
  # Install Debian packages that are missing; only possible as root with apt.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "bootstrap: please install these Debian packages first: ${missing[*]}" >&2
    exit 1
  fi
  echo "bootstrap: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
}

system_packages=(python3 python3-venv python3-dev espeak-ng)
[ "$kind" = dev ] && system_packages+=(chromium)
apt_install "${system_packages[@]}"

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; assert sys.version_info[:2] >= (3, 11)' 2>/dev/null; then
  echo "bootstrap: Python 3.11 or newer is needed ($python is $("$python" --version 2>&1))" >&2
  exit 1
fi
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"

files=(requirements.txt requirements-nodeps.txt)
[ "$kind" = dev ] && files+=(requirements-dev.txt)
stamp="$venv/.installed-$kind-$(cat "${files[@]}" scripts/bootstrap.sh 2>/dev/null | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "bootstrap: installing pinned Python dependencies ($kind)"
  start=$(date +%s)
  "$venv/bin/pip" install -q --disable-pip-version-check -r requirements.txt
  [ -s requirements-nodeps.txt ] && "$venv/bin/pip" install -q --disable-pip-version-check --no-deps -r requirements-nodeps.txt
  [ "$kind" = dev ] && "$venv/bin/pip" install -q --disable-pip-version-check -r requirements-dev.txt
  rm -f "$venv"/.installed-"$kind"-*
  touch "$stamp"
  echo "bootstrap: installed in $(( $(date +%s) - start )) s"
fi
