#!/usr/bin/env bash
# Roundup as a real service for the interop suite.
#   serve.sh PORT DIR   -> http://127.0.0.1:PORT/demo/xmlrpc
# Creates a tracker in DIR/tracker from the classic template on sqlite
# (`roundup-admin install`, then `initialise` with the admin's password,
# given as $ROUNDUP_ADMIN_PASSWORD) and serves it in the foreground with
# roundup-server. It refuses to run as root unless told which user to be:
# -u with our own uid keeps it as it is.
set -eu
port=$1 dir=$2
roundup-admin -i "$dir/tracker" install classic sqlite \
  "tracker_web=http://127.0.0.1:$port/demo/,mail_domain=localhost" >/dev/null
roundup-admin -i "$dir/tracker" initialise "$ROUNDUP_ADMIN_PASSWORD" >/dev/null
exec roundup-server -u "$(id -u)" -p "$port" -n 127.0.0.1 "demo=$dir/tracker"
