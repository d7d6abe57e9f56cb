#!/usr/bin/env bash
# Private PostgreSQL 15 cluster for lnob: init, start, stop, status.
#   tools/pg.sh init  DIR PORT   initdb (UTF-8, scram passwords) unless DIR/data exists
#   tools/pg.sh start DIR        start and wait until it accepts connections
#   tools/pg.sh stop  DIR        fast shutdown
#   tools/pg.sh url   DIR        admin connection string
# As root the server runs as the 'postgres' user (initdb refuses root).
set -euo pipefail

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PGBIN" ] || { echo "pg.sh: PostgreSQL server binaries not found (run tools/deps.sh)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,7p' "$0"; exit 2; }

case "$cmd" in
  init)
    port=${3:?port}
    if [ -f "$dir/data/PG_VERSION" ]; then exit 0; fi
    mkdir -p "$dir/data" "$dir/run" "$dir/log"
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$dir/admin_password"
    chmod 600 "$dir/admin_password"
    if [ "$(id -u)" -eq 0 ]; then
      chown -R postgres:postgres "$dir"
      if ! runuser -u postgres -- test -x "$dir"; then
        echo "pg.sh: user postgres cannot reach $dir; choose a state folder outside private home directories (LNOB_STATE_DIR)" >&2
        exit 1
      fi
    fi
    as_owner "$PGBIN/initdb" -D "$dir/data" -U lnob_admin -E UTF8 --locale=C.UTF-8 \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 --pwfile="$dir/admin_password" >"$dir/log/initdb.log"
    cat >> "$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/run'
max_connections = 200
shared_buffers = 128MB
log_min_messages = warning
CONF
    echo "$port" > "$dir/port"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir/port" "$dir/admin_password"
    # database used by all services (one schema each)
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log/postgres.log" -w -t 30 start >/dev/null
    PGPASSWORD=$(cat "$dir/admin_password") psql -h 127.0.0.1 -p "$port" -U lnob_admin -d postgres \
      -qc "CREATE DATABASE lnob" >/dev/null
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  start)
    if as_owner "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then exit 0; fi
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log/postgres.log" -w -t 60 start >/dev/null
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || true
    fi
    ;;
  url)
    echo "host=127.0.0.1 port=$(cat "$dir/port") user=lnob_admin password=$(cat "$dir/admin_password") dbname=lnob"
    ;;
  *) sed -n '2,7p' "$0"; exit 2 ;;
esac
