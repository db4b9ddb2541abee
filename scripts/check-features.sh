#!/usr/bin/env bash
# Builds the `xmlrpc-kit` facade with every feature set on its own, with
# clippy's -D warnings (so no feature combination leaves dead or broken
# code), and checks what the two slim sets pull in:
#   client only: no server code, no maud, no clap;
#   server only: no tokio, no hyper, no macros crate.
# Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

sets=("" "server" "http" "client" "blocking" "tls" "gzip" "server,gzip" "client,gzip" "http,client" "http,tls" "client,tls" "metrics" "http,metrics" "macros" "serde" "client,serde" "chrono" "time" "jiff" "serde,chrono,time,jiff" "json-rpc" "server,json-rpc" "http,json-rpc" "client,json-rpc" "default")
for features in "${sets[@]}"; do
  if [ "$features" = default ]; then
    args=()
  else
    args=(--no-default-features --features "$features")
  fi
  echo "scripts/check-features.sh: xmlrpc with [${features}]" >&2
  cargo clippy -q -p xmlrpc-kit "${args[@]}" -- -D warnings
done
echo "scripts/check-features.sh: xmlrpc with every feature" >&2
cargo clippy -q -p xmlrpc-kit --all-features -- -D warnings
# The crates underneath, each on its own with the least it can have.
for crate in xmlrpc-kit-codec xmlrpc-kit-transport xmlrpc-kit-server xmlrpc-kit-front xmlrpc-kit-http xmlrpc-kit-client xmlrpc-kit-macros; do
  echo "scripts/check-features.sh: $crate with no default features" >&2
  cargo clippy -q -p "$crate" --no-default-features -- -D warnings
done
# And the server's own feature, which the HTTP server turns on.
echo "scripts/check-features.sh: xmlrpc-kit-server with tokio" >&2
cargo clippy -q -p xmlrpc-kit-server --no-default-features --features tokio -- -D warnings
# JSON-RPC in each crate that has it, on its own.
for crate in xmlrpc-kit-codec xmlrpc-kit-server xmlrpc-kit-http xmlrpc-kit-client; do
  echo "scripts/check-features.sh: $crate with json-rpc" >&2
  cargo clippy -q -p "$crate" --no-default-features --features json-rpc -- -D warnings
done
echo "scripts/check-features.sh: the xmlrpc binary with mimalloc" >&2
cargo clippy -q -p xmlrpc-kit-cli --features mimalloc -- -D warnings

deps() { cargo tree -q -p xmlrpc-kit -e normal --prefix none --no-default-features --features "$1" | sed 's/ .*//' | sort -u; }
refuse() {
  local set=$1; shift
  local pulled
  pulled=$(deps "$set")
  for crate in "$@"; do
    if grep -qx "$crate" <<<"$pulled"; then
      echo "scripts/check-features.sh: features [$set] pull in $crate" >&2
      exit 1
    fi
  done
  echo "scripts/check-features.sh: [$set] pulls $(wc -l <<<"$pulled") crates, none of: $*" >&2
}
refuse client xmlrpc-kit-server xmlrpc-kit-front xmlrpc-kit-http maud clap
refuse server tokio hyper hyper-util xmlrpc-kit-http xmlrpc-kit-client xmlrpc-kit-macros
echo "scripts/check-features.sh: every feature set builds"
