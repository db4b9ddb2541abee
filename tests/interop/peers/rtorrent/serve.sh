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
mkdir -p "$dir/session" "$dir/download" "$dir/nginx"
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
cat >"$dir/nginx/nginx.conf" <<CONF
user root;
worker_processes 1;
daemon off;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $dir/nginx/client_body;
    proxy_temp_path $dir/nginx/proxy;
    fastcgi_temp_path $dir/nginx/fastcgi;
    uwsgi_temp_path $dir/nginx/uwsgi;
    scgi_temp_path $dir/nginx/scgi;
    client_max_body_size 16m;
    client_body_buffer_size 2m;
    server {
        listen 127.0.0.1:$port;
        location / {
            include /etc/nginx/scgi_params;
            scgi_pass unix:$dir/rpc.sock;
        }
    }
}
CONF
pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait; }
trap stop EXIT
trap 'exit 143' TERM INT
HOME=$dir rtorrent -n -o "import=$dir/rtorrent.rc" </dev/null >"$dir/rtorrent.log" 2>&1 &
pids+=($!)
# nginx only once rTorrent's socket is there, so that PORT answering means
# rTorrent answers too.
for _ in $(seq 200); do
    [ -S "$dir/rpc.sock" ] && break
    kill -0 "${pids[0]}" 2>/dev/null || { echo "rtorrent exited" >&2; cat "$dir/rtorrent.log" >&2; exit 1; }
    sleep 0.05
done
nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log" &
pids+=($!)
wait -n
