# nginx in the foreground in front of a peer that listens on a Unix socket
# in DIR (rTorrent's SCGI, fcgiwrap's FastCGI), for the serve scripts of
# those peers: sourced, not run. The script keeps its processes in the
# array `pids`, the peer's first.

# nginx_conf DIR PORT SERVER: writes DIR/nginx/nginx.conf, an nginx
# listening on 127.0.0.1:PORT, the rest of its server block SERVER (its
# locations), its pid, error log and temporary files in DIR/nginx.
nginx_conf() {
    local dir=$1 port=$2 server=$3
    mkdir -p "$dir/nginx"
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
$server
    }
}
CONF
}

# nginx_after_socket DIR SOCKET NAME [LOG]: starts nginx (DIR's
# configuration) once the peer NAME (${pids[0]}) has made SOCKET, so that
# PORT answering means the peer answers too; fails, printing LOG if given,
# if the peer exits first.
nginx_after_socket() {
    local dir=$1 socket=$2 name=$3 log=${4:-}
    for _ in $(seq 200); do
        [ -S "$socket" ] && break
        kill -0 "${pids[0]}" 2>/dev/null || {
            echo "$name exited" >&2
            [ -z "$log" ] || cat "$log" >&2
            exit 1
        }
        sleep 0.05
    done
    nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log" &
    pids+=($!)
}
