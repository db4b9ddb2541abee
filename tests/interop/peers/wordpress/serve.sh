#!/usr/bin/env bash
# WordPress (Debian's wordpress, MariaDB) as a real service for the interop
# suite.
#   serve.sh PORT DIR   -> http://127.0.0.1:PORT/xmlrpc.php
# MariaDB runs from DIR/db on a Unix socket only (skip-networking).
# Debian's wp-config.php reads /etc/wordpress/config-HOST.php; to keep the
# configuration in DIR, DIR/wp holds copies of WordPress's top-level PHP
# files (which find wp-config.php beside them), a wp-config.php written
# here, and links to its wp-admin, wp-includes and wp-content. WordPress is
# installed with PHP's command line (wp_install, as wp-cli does: admin
# "interop", the password $WORDPRESS_PASSWORD), then PHP's built-in web
# server serves DIR/wp in the foreground. Both stop when this script does.
set -eu
port=$1 dir=$2
pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait; }
trap stop EXIT
trap 'exit 143' TERM INT

mariadb-install-db --no-defaults --user=root --datadir="$dir/db" \
  --auth-root-authentication-method=socket >"$dir/mariadb-install.log" 2>&1
mariadbd --no-defaults --user=root --datadir="$dir/db" --socket="$dir/mysql.sock" \
  --skip-networking --pid-file="$dir/mariadb.pid" --log-error="$dir/mariadb.log" &
pids+=($!)
for _ in $(seq 100); do [ -S "$dir/mysql.sock" ] && break; sleep 0.1; done
mariadb --no-defaults -S "$dir/mysql.sock" -u root \
  -e "CREATE DATABASE wordpress; CREATE USER wp@localhost IDENTIFIED BY 'wp'; GRANT ALL ON wordpress.* TO wp@localhost;"

mkdir -p "$dir/wp"
for f in /usr/share/wordpress/*.php; do
  [ "$(basename "$f")" = wp-config.php ] || cp "$f" "$dir/wp/"
done
ln -s /usr/share/wordpress/wp-admin /usr/share/wordpress/wp-includes \
  /usr/share/wordpress/wp-content "$dir/wp/"
cat >"$dir/wp/wp-config.php" <<PHP
<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'wp');
define('DB_PASSWORD', 'wp');
define('DB_HOST', 'localhost:$dir/mysql.sock');
define('DB_CHARSET', 'utf8mb4');
define('WP_HOME', 'http://127.0.0.1:$port');
define('WP_SITEURL', 'http://127.0.0.1:$port');
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
\$table_prefix = 'wp_';
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
PHP
(cd "$dir/wp" && php -d display_errors=0 -r '
  define("WP_INSTALLING", true);
  $_SERVER["HTTP_HOST"] = "127.0.0.1";
  require "wp-load.php";
  require_once ABSPATH . "wp-admin/includes/upgrade.php";
  wp_install("Interop", "interop", "interop@example.org", false, "", getenv("WORDPRESS_PASSWORD"));
') >"$dir/install.log" 2>&1

cd "$dir/wp"
php -d display_errors=0 -d log_errors=1 -S "127.0.0.1:$port" &
pids+=($!)
wait -n
