#!/usr/bin/env bash
# Set up govwatch on a fresh Debian machine with Python 3.11: a virtual environment in .venv
# with every pinned requirement and the `govwatch` command. With --test it also installs the
# system packages the test suite uses (Debian's chromium for the browser checks).
# Safe to run again: it only reinstalls when requirements.txt or pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")"

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi

stamp=.venv/.govwatch-installed
wanted=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "bootstrap: installing Python packages into .venv" >&2
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r requirements.txt
    .venv/bin/python -m pip install --quiet --no-deps -e .
    echo "$wanted" > "$stamp"
fi

# The project's own bytecode, compiled here: where PYTHONDONTWRITEBYTECODE is set (the Dockerfile,
# many CI images) Python never writes it, and every process (each command, each crawl's fork
# server) compiled crawler/, monitor/ and storage/ from source again: ~0.25 s of CPU per
# `govwatch` command (bench/README.md). Up-to-date files are skipped; a module edited later is
# read from source until this runs again (or Python, where it may, writes its bytecode).
.venv/bin/python -m compileall -q crawler monitor storage demo bench datasette/plugins >/dev/null

if [ "${1:-}" = "--test" ]; then
    missing=()
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    [ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    # DOC/WPS attachments are read through these converters (crawler/attachments/legacy_word.py).
    command -v antiword >/dev/null 2>&1 || missing+=(antiword)
    command -v catdoc >/dev/null 2>&1 || missing+=(catdoc)
    # PDFium sizes the characters of a Chinese font a PDF does not embed from a system font: with
    # none, text drawn a character at a time is lost; with Noto CJK alone (CFF outlines) it is read
    # 5-10x slower. PDFium looks for WenQuanYi Micro Hei by name (crawler/attachments/pdf.py).
    [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "bootstrap: installing system packages: ${missing[*]}" >&2
        sudo_cmd=""
        [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
        $sudo_cmd apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    # nginx serves the benchmark's site (bench/nginx.py runs its own unprivileged instance).
    # Apart: its package starts a system nginx on port 80, which may fail where 80 is taken;
    # without it the bench tests are skipped, nothing else needs it.
    if [ ! -x /usr/sbin/nginx ] && ! command -v nginx >/dev/null 2>&1; then
        echo "bootstrap: installing nginx-light (for the benchmark tests)" >&2
        sudo_cmd=""
        [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
        { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nginx-light >/dev/null; } \
            || echo "bootstrap: nginx-light could not be installed; the benchmark tests will be skipped" >&2
    fi
fi
