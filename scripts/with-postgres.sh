#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server: initdb into a temporary folder, start it on
# a free loopback port, export DATABASE_URL, run the command, stop and remove the server.
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
set -euo pipefail

pg_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ]; then echo "with-postgres: $name not found (install postgresql)" >&2; exit 1; fi
  echo "$found"
}
INITDB=$(pg_bin initdb); PG_CTL=$(pg_bin pg_ctl); CREATEDB=$(pg_bin createdb)

as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

DATA_DIR=$(mktemp -d /tmp/rc-pg.XXXXXX)
if [ "$(id -u)" = "0" ]; then chown postgres: "$DATA_DIR"; fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  as_pg "$PG_CTL" -D "$DATA_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT

as_pg "$INITDB" -D "$DATA_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PG_CTL" -D "$DATA_DIR/data" -l "$DATA_DIR/server.log" -w \
  -o "-p $PORT -k $DATA_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
  start >/dev/null

"$CREATEDB" -h 127.0.0.1 -p "$PORT" -U postgres resourcecenter
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/resourcecenter"
echo "with-postgres: PostgreSQL on 127.0.0.1:$PORT"
"$@"
