#!/usr/bin/env bash
# The whole test suite: what README.md's second command and .ci/run call.
# Needs the Rust toolchain and python3 (Python's xmlrpc.client and
# SimpleXMLRPCServer are the reference peers). Installs anything else the
# tests need before running them; a missing tool fails its tests, never
# skips them.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v python3 >/dev/null || { echo "scripts/test.sh: python3 is required" >&2; exit 1; }

cargo test --workspace --all-targets
cargo test --workspace --doc
