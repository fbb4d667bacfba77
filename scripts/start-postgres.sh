#!/usr/bin/env bash
# Start a local PostgreSQL server for eventwire's store tests and print the URL to use.
#
#   eval "$(scripts/start-postgres.sh)"      # sets EVENTWIRE_TEST_PG
#
# Idempotent: a second call finds the running server and prints the same line again.
# - Installs the Debian/Ubuntu `postgresql` package with apt-get when no server binaries are found
#   (needs root).
# - Keeps its own cluster in $EVENTWIRE_PG_DATA (default ${TMPDIR:-/tmp}/eventwire-pg), listening on
#   127.0.0.1 only, on $EVENTWIRE_PG_PORT (default 5432) or the next free port.
# - Creates the role `eventwire` (password `eventwire`) owning the database `eventwire_test`.
#   Host connections need the password (scram-sha-256); the superuser is reached through the
#   cluster's own Unix socket only. This is a throwaway test server, not a production setup.
# Everything except the final `export ...` line goes to stderr.
set -euo pipefail

DATA_DIR="${EVENTWIRE_PG_DATA:-${TMPDIR:-/tmp}/eventwire-pg}"
WANT_PORT="${EVENTWIRE_PG_PORT:-5432}"
DB_NAME="eventwire_test"
DB_USER="eventwire"
DB_PASS="eventwire"

log() { printf 'start-postgres: %s\n' "$*" >&2; }

find_bindir() {
  local dir
  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [[ -x "$dir/initdb" && -x "$dir/postgres" ]]; then echo "$dir"; return 0; fi
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$dir/initdb" && -x "$dir/postgres" ]]; then echo "$dir"; return 0; fi
  done
  return 1
}

BINDIR="$(find_bindir || true)"
if [[ -z "$BINDIR" ]]; then
  if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    log "no PostgreSQL server binaries found and cannot install them (need root and apt-get)"
    exit 1
  fi
  log "installing postgresql with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  BINDIR="$(find_bindir)"
fi

# The server refuses to run as root: use the `postgres` system user when we are root.
if [[ "$(id -u)" -eq 0 ]]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir "$DATA_DIR" --shell /bin/sh postgres
  fi
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running_port() {
  # line 4 of postmaster.pid is the port of a running server
  if as_pg "$BINDIR/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; then
    sed -n 4p "$DATA_DIR/postmaster.pid"
    return 0
  fi
  return 1
}

if [[ ! -f "$DATA_DIR/PG_VERSION" ]]; then
  log "initialising a cluster in $DATA_DIR"
  mkdir -p "$DATA_DIR"
  [[ "$(id -u)" -eq 0 ]] && chown postgres "$DATA_DIR"
  chmod 700 "$DATA_DIR"
  as_pg "$BINDIR/initdb" -D "$DATA_DIR" -U postgres -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >&2
fi

if PORT="$(running_port)"; then
  log "server already running on port $PORT"
else
  PORT="$WANT_PORT"
  while port_in_use "$PORT"; do
    PORT=$((PORT + 1))
    if (( PORT > WANT_PORT + 50 )); then log "no free port near $WANT_PORT"; exit 1; fi
  done
  log "starting the server on 127.0.0.1:$PORT"
  as_pg "$BINDIR/pg_ctl" -D "$DATA_DIR" -l "$DATA_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA_DIR" start >&2
fi

psql_admin() {
  as_pg "$BINDIR/psql" -h "$DATA_DIR" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -tA "$@"
}

if [[ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != "1" ]]; then
  log "creating role $DB_USER"
  psql_admin -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASS'" >&2
fi
if [[ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]]; then
  log "creating database $DB_NAME"
  psql_admin -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" >&2
fi

echo "export EVENTWIRE_TEST_PG=postgresql+psycopg://$DB_USER:$DB_PASS@127.0.0.1:$PORT/$DB_NAME"
