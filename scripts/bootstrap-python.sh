#!/usr/bin/env bash
# Creates target/pyenv, a Python virtual environment with the chat widget
# seed's own Socket.IO client (python-socketio 4.6.1, Engine.IO 3) for
# tests/conformance/python/. Safe to run again: the venv is created once and
# pip only runs when the pinned requirements changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

venv=target/pyenv
requirements=tests/conformance/python/requirements.txt
stamp=$venv/.requirements-installed

need python3 "install Python 3.8 or newer with the venv module (Debian: python3-venv)"
[ -f "$requirements" ] || die "$requirements is missing"

if [ ! -x "$venv/bin/python" ]; then
  step "python3 -m venv $venv"
  mkdir -p target
  python3 -m venv "$venv" ||
    die "python3 -m venv failed (Debian: apt-get install python3-venv)"
fi

if [ ! -f "$stamp" ] || ! cmp -s "$requirements" "$stamp"; then
  step "pip install -r $requirements"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    --requirement "$requirements" ||
    die "pip install into $venv failed: is PyPI reachable? (see the pip output above)"
  cp "$requirements" "$stamp"
fi

"$venv/bin/python" -c 'import socketio, engineio, websocket, requests
assert socketio.__version__ == "4.6.1", socketio.__version__
assert engineio.__version__.startswith("3."), engineio.__version__' ||
  die "$venv does not hold python-socketio 4.6.1 with python-engineio 3.x; remove $venv and run again"

echo "python-socketio 4.6.1 ready: $venv/bin/python"
