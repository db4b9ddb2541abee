#!/usr/bin/env bash
# rTorrent as an interop peer server, as it is (it has no echo: our client
# runs its "rtorrent" profile against it).
#   serve.sh PORT DIR   -> http://127.0.0.1:PORT/RPC2
# rTorrent speaks XML-RPC over SCGI only: it listens on a Unix socket in
# DIR and nginx, on 127.0.0.1:PORT, passes /RPC2 to it (scgi_pass). Both
# run in the foreground from configurations written into DIR; when either
# stops, or this script is signalled, both are stopped.
set -eu
port=$1 dir=$2
. "$(dirname "$0")/../_lib/nginx.sh"
mkdir -p "$dir/session" "$dir/download"
# A free port for the BitTorrent listener (bound to 127.0.0.1, never used).
bt_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$dir/rtorrent.rc" <<CONF
system.daemon.set = true
session.path.set = $dir/session
directory.default.set = $dir/download
network.scgi.open_local = $dir/rpc.sock
network.bind_address.set = 127.0.0.1
network.port_range.set = $bt_port-$bt_port
network.port_random.set = no
network.xmlrpc.size_limit.set = 16M
dht.mode.set = disable
protocol.pex.set = no
trackers.use_udp.set = no
CONF
nginx_conf "$dir" "$port" "        location / {
            include /etc/nginx/scgi_params;
            scgi_pass unix:$dir/rpc.sock;
        }"
pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait; }
trap stop EXIT
trap 'exit 143' TERM INT
HOME=$dir rtorrent -n -o "import=$dir/rtorrent.rc" </dev/null >"$dir/rtorrent.log" 2>&1 &
pids+=($!)
nginx_after_socket "$dir" "$dir/rpc.sock" rtorrent "$dir/rtorrent.log"
wait -n
