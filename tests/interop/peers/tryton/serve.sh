#!/usr/bin/env bash
# Tryton (Debian's tryton-server) as a real service for the interop suite.
#   serve.sh PORT DIR   -> http://127.0.0.1:PORT/interop/
# Writes DIR/trytond.conf (an sqlite database in DIR, the web listener on
# 127.0.0.1:PORT), creates the database "interop" with the base modules
# (trytond-admin --all; the admin's password from $TRYTON_ADMIN_PASSWORD
# through TRYTONPASSFILE), then runs trytond in the foreground.
set -eu
port=$1 dir=$2
cat >"$dir/trytond.conf" <<CONF
[database]
uri = sqlite://
path = $dir

[web]
listen = 127.0.0.1:$port
CONF
touch "$dir/interop.sqlite"
printf '%s\n' "$TRYTON_ADMIN_PASSWORD" >"$dir/admin-password"
TRYTONPASSFILE=$dir/admin-password trytond-admin -c "$dir/trytond.conf" -d interop --all \
  --email admin@example.org >"$dir/trytond-admin.log" 2>&1
exec trytond -c "$dir/trytond.conf"
