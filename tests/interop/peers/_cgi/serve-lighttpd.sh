#!/usr/bin/env bash
# lighttpd + mod_cgi in front of a CGI XML-RPC server, as an interop peer:
#   serve-HOST.sh PORT DIR CGI   -> http://127.0.0.1:PORT/cgi-bin/rpc.cgi
# CGI (the program) is installed as DIR/cgi-bin/rpc.cgi; lighttpd runs in
# the foreground (-D) from a configuration written into DIR.
set -eu
port=$1 dir=$2 cgi=$3
mkdir -p "$dir/www" "$dir/cgi-bin"
install -m 755 "$cgi" "$dir/cgi-bin/rpc.cgi"
cat >"$dir/lighttpd.conf" <<CONF
server.modules = ( "mod_alias", "mod_cgi" )
server.document-root = "$dir/www"
server.bind = "127.0.0.1"
server.port = $port
server.pid-file = "$dir/lighttpd.pid"
server.errorlog = "$dir/lighttpd-error.log"
server.upload-dirs = ( "$dir" )
server.max-request-size = 16384
alias.url = ( "/cgi-bin/" => "$dir/cgi-bin/" )
\$HTTP["url"] =~ "^/cgi-bin/" { cgi.assign = ( ".cgi" => "" ) }
CONF
exec lighttpd -D -f "$dir/lighttpd.conf"
