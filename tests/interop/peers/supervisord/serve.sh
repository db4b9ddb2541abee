#!/usr/bin/env bash
# supervisord as an interop peer server, as it is (it has no echo: our
# client runs its "supervisord" profile against it).
#   serve.sh PORT DIR   -> http://127.0.0.1:PORT/RPC2
# Writes its configuration into DIR (one program, "sleeper") and runs
# supervisord in the foreground; it stops its program when it is stopped.
set -eu
port=$1 dir=$2
cat >"$dir/supervisord.conf" <<CONF
[inet_http_server]
port=127.0.0.1:$port

[supervisord]
nodaemon=true
user=root
logfile=$dir/supervisord.log
pidfile=$dir/supervisord.pid
childlogdir=$dir
directory=$dir

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[program:sleeper]
command=sleep 1000
autostart=true
autorestart=false
startsecs=0
CONF
exec supervisord -c "$dir/supervisord.conf"
