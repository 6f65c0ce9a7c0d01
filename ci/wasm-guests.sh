#!/usr/bin/env bash
# The WASM guest workspace (elements-wasm/ + guest-sdk/), which the root workspace
# excludes: formatting, lints for the host and wasm32 targets, and the unit tests of the
# elements' pure logic on the host target. The components themselves are built by
# tests/artifacts/build.rs during the root `cargo test`.
#
# The unit tests also run compiled to wasm32 with simd128 (under node's WASI, via
# ci/wasi-run.mjs): that is where grayscale's SIMD kernel is compared with its scalar
# reference on random data, so node is installed (Debian's nodejs) when missing.
set -euo pipefail
cd "$(dirname "$0")/../elements-wasm"

cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --workspace --target wasm32-wasip2 -- -D warnings
cargo test --workspace

if ! command -v node >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null
fi
rustup target add wasm32-wasip1 >/dev/null
for crate in grayscale jsonfilter volume videoinvert; do
    bin=$(RUSTFLAGS="-C target-feature=+simd128" cargo test -p "$crate" \
        --target wasm32-wasip1 --release --no-run --message-format=json 2>/dev/null \
        | sed -n 's/.*"executable":"\([^"]*\.wasm\)".*/\1/p' | tail -1)
    if [ -z "$bin" ]; then
        echo "could not build the wasm32 unit tests of $crate" >&2
        exit 1
    fi
    node --no-warnings ../ci/wasi-run.mjs "$bin"
done
