#!/usr/bin/env bash
# DokuWiki (Debian's package) as a real service for the interop suite.
#   serve.sh PORT DIR   -> http://127.0.0.1:PORT/lib/exe/xmlrpc.php
# Debian's DokuWiki reads its defaults from /etc/dokuwiki and its local
# configuration from DOKU_CONF; a file PHP runs before every script
# (auto_prepend_file) points DOKU_CONF at DIR/conf, where this script
# writes local.php (the remote API on, for the admin group; pages in
# DIR/data), acl.auth.php and users.auth.php (one user, interop, in
# admin, the password $DOKUWIKI_PASSWORD, bcrypt-hashed). PHP's built-in
# web server serves /usr/share/dokuwiki in the foreground.
set -eu
port=$1 dir=$2
mkdir -p "$dir/conf"
for d in pages attic media media_attic meta media_meta cache index locks tmp log; do
  mkdir -p "$dir/data/$d"
done
cat >"$dir/prepend.php" <<PHP
<?php
define('DOKU_CONF', '$dir/conf/');
PHP
cat >"$dir/conf/local.php" <<PHP
<?php
\$conf['savedir'] = '$dir/data';
\$conf['title'] = 'Interop';
\$conf['useacl'] = 1;
\$conf['authtype'] = 'authplain';
\$conf['superuser'] = '@admin';
\$conf['remote'] = 1;
\$conf['remoteuser'] = '@admin';
PHP
cat >"$dir/conf/acl.auth.php" <<'ACL'
# <?php exit()?>
*	@ALL	1
*	@user	8
ACL
hash=$(DOKUWIKI_PASSWORD=$DOKUWIKI_PASSWORD php -r 'echo password_hash(getenv("DOKUWIKI_PASSWORD"), PASSWORD_BCRYPT);')
cat >"$dir/conf/users.auth.php" <<USERS
# <?php exit()?>
interop:$hash:Interop Tester:interop@example.org:admin,user
USERS
cd /usr/share/dokuwiki
exec php -d "auto_prepend_file=$dir/prepend.php" -d display_errors=0 -d log_errors=1 -S "127.0.0.1:$port"
