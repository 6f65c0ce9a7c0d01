#!/usr/bin/env bash
# The whole test suite, exactly as the README gives it and CI runs it (.ci/run).
# Installs what it needs first (the toolchain and targets pinned in rust-toolchain.toml),
# then checks formatting and lints over every feature, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# rust-toolchain.toml pins the toolchain and lists the wasm32-wasip2 target; an
# already-installed toolchain does not pick up new targets by itself.
rustup show active-toolchain >/dev/null
rustup target add wasm32-wasip2 >/dev/null

# Pinned tools for the Python, JavaScript and C guests (into target/guest-tools/; clang,
# lld and wasi-libc from Debian when missing). tests/artifacts/build.rs builds those
# guests with them during clippy and test, and fails when one is missing.
ci/guest-tools.sh

# The codec elements: rav1e's asm needs nasm to build, the AV1 tests decode with dav1d.
if ! command -v nasm >/dev/null || ! command -v dav1d >/dev/null; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends nasm dav1d >/dev/null
fi

# dav1ddec links the system libdav1d (the dav1d crate 0.9 wants libdav1d 1.0, Debian 12's)
# and finds it with pkg-config.
if ! command -v pkg-config >/dev/null || ! pkg-config --exists dav1d; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends libdav1d-dev pkg-config >/dev/null
fi

# The mp4mux and decodebin tests make and check files with ffmpeg/ffprobe.
if ! command -v ffmpeg >/dev/null || ! command -v ffprobe >/dev/null; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null
fi

cargo fmt --all --check
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
cargo test --workspace --all-features --locked

# The WASM guest workspace, excluded from the root one (elements-wasm/, guest-sdk/).
ci/wasm-guests.sh
