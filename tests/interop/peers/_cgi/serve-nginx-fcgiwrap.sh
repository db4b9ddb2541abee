#!/usr/bin/env bash
# nginx + fcgiwrap in front of a CGI XML-RPC server, as an interop peer:
#   serve-HOST.sh PORT DIR CGI   -> http://127.0.0.1:PORT/cgi-bin/rpc.cgi
# CGI (the program) is installed as DIR/cgi-bin/rpc.cgi; fcgiwrap listens
# on a Unix socket in DIR (its TCP mode cannot rebind a port in TIME_WAIT)
# and nginx passes /cgi-bin/ to it. Both run in the foreground from
# configurations written into DIR; when either stops, or this script is
# signalled, both are stopped.
set -eu
port=$1 dir=$2 cgi=$3
. "$(dirname "$0")/../_lib/nginx.sh"
mkdir -p "$dir/www" "$dir/cgi-bin"
install -m 755 "$cgi" "$dir/cgi-bin/rpc.cgi"
nginx_conf "$dir" "$port" "        root $dir/www;
        location /cgi-bin/ {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $dir\$fastcgi_script_name;
            fastcgi_pass unix:$dir/fcgiwrap.sock;
        }"
pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait; }
trap stop EXIT
trap 'exit 143' TERM INT
rm -f "$dir/fcgiwrap.sock"
fcgiwrap -s "unix:$dir/fcgiwrap.sock" &
pids+=($!)
nginx_after_socket "$dir" "$dir/fcgiwrap.sock" fcgiwrap
wait -n
