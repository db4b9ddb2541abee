#!/usr/bin/env bash
# apache2 (prefork) + mod_cgi in front of a CGI XML-RPC server, as an
# interop peer:   serve-HOST.sh PORT DIR CGI   -> http://127.0.0.1:PORT/cgi-bin/rpc.cgi
# CGI (the program) is installed as DIR/cgi-bin/rpc.cgi; apache2 runs in
# the foreground from a configuration written into DIR, its CGIs as
# www-data (so DIR is opened to others for reading).
# No setsid: on SIGTERM the prefork parent signals its whole process group,
# and the command already runs as a process group of its own (the one the
# driver stops), so this stops exactly apache2 and its children; in a new
# session apache2 would outlive a SIGKILL of that group.
set -eu
port=$1 dir=$2 cgi=$3
mkdir -p "$dir/www" "$dir/cgi-bin"
chmod 755 "$dir"
install -m 755 "$cgi" "$dir/cgi-bin/rpc.cgi"
cat >"$dir/apache2.conf" <<CONF
ServerRoot "$dir"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $dir/apache2.pid
DefaultRuntimeDir $dir
ErrorLog $dir/apache2-error.log
LogLevel warn
User www-data
Group www-data
LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule cgi_module /usr/lib/apache2/modules/mod_cgi.so
TypesConfig /etc/mime.types
StartServers 1
MinSpareServers 1
MaxSpareServers 2
DocumentRoot $dir/www
ScriptAlias /cgi-bin/ $dir/cgi-bin/
<Directory $dir>
    Require all granted
</Directory>
CONF
exec apache2 -DFOREGROUND -f "$dir/apache2.conf"
