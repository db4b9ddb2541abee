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
mkdir -p "$dir/www" "$dir/cgi-bin" "$dir/nginx"
install -m 755 "$cgi" "$dir/cgi-bin/rpc.cgi"
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
        root $dir/www;
        location /cgi-bin/ {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $dir\$fastcgi_script_name;
            fastcgi_pass unix:$dir/fcgiwrap.sock;
        }
    }
}
CONF
pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait; }
trap stop EXIT
trap 'exit 143' TERM INT
rm -f "$dir/fcgiwrap.sock"
fcgiwrap -s "unix:$dir/fcgiwrap.sock" &
pids+=($!)
# nginx only once the socket is there, so that PORT answering means the
# CGI answers too.
for _ in $(seq 200); do
    [ -S "$dir/fcgiwrap.sock" ] && break
    kill -0 "${pids[0]}" 2>/dev/null || { echo "fcgiwrap exited" >&2; exit 1; }
    sleep 0.05
done
nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log" &
pids+=($!)
wait -n
