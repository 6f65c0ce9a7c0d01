#!/usr/bin/env bash
# Installs the pinned tools that build the Python, JavaScript and C guest elements
# (elements-wasm/{python,js,c}/) into target/guest-tools/, never globally:
#
#   target/guest-tools/python/   a venv with componentize-py (PyPI)
#   target/guest-tools/js/       componentize-js and its dependencies (npm ci from
#                                ci/guest-tools/package-lock.json)
#   clang, lld, wasi-libc        Debian packages (apt-get, only when missing; C guests)
#
# The C guests' WIT bindings and component wrapping need no CLI: tools/wit-c
# (parallax-wit-c, in the root workspace) does both as a library of tests/artifacts.
#
# Idempotent and quick when everything is there: each folder holds a stamp with the
# pinned version, and is reinstalled only when the pin changes. tests/artifacts/build.rs
# refuses to build (so tests fail, not skip) when a tool is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

COMPONENTIZE_PY=0.25.1
TOOLS=target/guest-tools
mkdir -p "$TOOLS"

# Debian packages for C: clang 14 with the wasm32 builtins, wasm-ld, wasi-libc.
c_packages=()
command -v clang >/dev/null || c_packages+=(clang)
command -v wasm-ld >/dev/null || c_packages+=(lld)
[ -f /usr/lib/wasm32-wasi/libc.a ] || c_packages+=(wasi-libc)
compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a" >/dev/null \
    || c_packages+=(libclang-rt-14-dev-wasm32)
if [ ${#c_packages[@]} -gt 0 ]; then
    echo "guest-tools: apt-get install ${c_packages[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${c_packages[@]}" >/dev/null
fi

# Python: componentize-py in a venv of its own.
py=$TOOLS/python
if [ "$(cat "$py/.pinned" 2>/dev/null)" != "componentize-py==$COMPONENTIZE_PY" ]; then
    echo "guest-tools: componentize-py $COMPONENTIZE_PY" >&2
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    rm -rf "$py"
    python3 -m venv "$py"
    "$py/bin/pip" install --quiet --disable-pip-version-check "componentize-py==$COMPONENTIZE_PY"
    echo "componentize-py==$COMPONENTIZE_PY" >"$py/.pinned"
fi

# JavaScript: componentize-js from the committed lock file.
js=$TOOLS/js
lock_sum=$(sha256sum ci/guest-tools/package-lock.json | cut -d' ' -f1)
if [ "$(cat "$js/.pinned" 2>/dev/null)" != "$lock_sum" ]; then
    echo "guest-tools: componentize-js (npm ci)" >&2
    if ! command -v npm >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    fi
    rm -rf "$js"
    mkdir -p "$js"
    cp ci/guest-tools/package.json ci/guest-tools/package-lock.json "$js/"
    (cd "$js" && npm ci --silent --no-audit --no-fund)
    echo "$lock_sum" >"$js/.pinned"
fi
