#!/usr/bin/env bash
# The whole test suite: what README.md's second command and .ci/run call.
# Needs the Rust toolchain and python3 (Python's xmlrpc.client and
# SimpleXMLRPCServer are the reference peers). Installs what else the tests
# use when it is missing: lighttpd (a real CGI web server), chromium and
# chromium-driver (a real browser for the documentation page, and
# WebDriver to fill in its forms), systemd-socket-activate (a
# real service manager handing in sockets), and the XML-RPC services of
# the transports tests: supervisor, rtorrent and nginx, HAProxy for the
# scale-out test, Prometheus (and promtool) for the metrics test, and
# tinyproxy (a real HTTP proxy) for the client's proxy tests, and curl
# (README's examples and the documentation page's snippets);
# from Debian's packages. The interoperability suite
# (tests/interop/run.py) installs its own peers. A tool that is still missing fails its tests; none is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { echo "scripts/test.sh: [$SECONDS s] $*" >&2; }

command -v python3 >/dev/null || { echo "scripts/test.sh: python3 is required" >&2; exit 1; }

need=()
[ -x /usr/sbin/lighttpd ] || need+=(lighttpd)
command -v chromium >/dev/null || need+=(chromium fonts-dejavu-core)
command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v systemd-socket-activate >/dev/null || need+=(systemd)
command -v supervisord >/dev/null || need+=(supervisor)
command -v rtorrent >/dev/null || need+=(rtorrent)
[ -x /usr/sbin/nginx ] || need+=(nginx)
[ -x /usr/sbin/haproxy ] || need+=(haproxy)
command -v prometheus >/dev/null || need+=(prometheus)
command -v tinyproxy >/dev/null || need+=(tinyproxy)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "scripts/test.sh: installing ${need[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "scripts/test.sh: please install ${need[*]} (the tests that use them will fail otherwise)" >&2
  fi
fi

step "unit, behaviour and example tests"
cargo test --workspace --all-targets
step "doc tests"
cargo test --workspace --doc
# Three server processes behind HAProxy and nginx, restarted under load
# (in a network namespace of its own; needs root).
step "scale-out"
python3 tests/scaleout/run.py
# Every XML-RPC peer we can install, both ways; writes INTEROP.md.
step "interoperability"
python3 tests/interop/run.py
step "done"
