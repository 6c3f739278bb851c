#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (no system service is touched).
#
#   scripts/pg-cluster.sh start DIR [PORT]   initdb into DIR (when empty) and start
#                                            a server on 127.0.0.1:PORT (default 54329);
#                                            prints the URL to export as
#                                            CABLESCOPE_TEST_DATABASE
#   scripts/pg-cluster.sh stop DIR           stops it
#   scripts/pg-cluster.sh replica DIR PORT PRIMARY_PORT
#                                            a streaming replica (hot standby) of the
#                                            cluster on PRIMARY_PORT, in DIR (made with
#                                            pg_basebackup -R), on 127.0.0.1:PORT;
#                                            prints its URL (CABLESCOPE_TEST_REPLICA)
#
# Needs Debian's `postgresql` (15). `initdb` refuses to run as root, so as root the
# cluster is created and run as the `postgres` user.
set -euo pipefail
cmd="${1:-}"; dir="${2:-}"; port="${3:-54329}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2; }
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 2; }
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
      # The superuser needs no password on loopback (the tests and the scripts
      # connect as it); every other role gives its password, as on a real server
      # (postgres_fdw lets a non-superuser through only to a server that asks).
      as_pg tee "$dir/pg_hba.conf" >/dev/null <<'HBA'
local     all          all                      trust
host      all          postgres   127.0.0.1/32  trust
host      all          postgres   ::1/128       trust
host      all          all        127.0.0.1/32  scram-sha-256
host      all          all        ::1/128       scram-sha-256
host      replication  all        127.0.0.1/32  trust
host      replication  all        ::1/128       trust
HBA
    fi
    # Throwaway: durability off (the tests kill nothing but our own processes).
    as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w start \
      -o "-h 127.0.0.1 -p $port -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  replica)
    primary="${4:-}"
    [ -n "$primary" ] || { echo "usage: $0 replica DIR PORT PRIMARY_PORT" >&2; exit 2; }
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    chmod 700 "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      # -R writes standby.signal and the primary's address: the copy starts as a
      # hot standby that streams the primary's WAL (initdb's default pg_hba lets
      # loopback replication connections in with the cluster's trust method).
      as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres -D "$dir" -R -X stream >/dev/null
    fi
    as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w start \
      -o "-h 127.0.0.1 -p $port -k /tmp -c hot_standby=on -c max_connections=300" >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null
    ;;
  *) echo "usage: $0 start|stop DIR [PORT] | replica DIR PORT PRIMARY_PORT" >&2; exit 2 ;;
esac
