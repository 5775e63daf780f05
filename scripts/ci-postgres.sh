#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the tests that need one (the idempotency
# store's integration tests), and prints its connection URL on the last line.
# Safe to run again: each step is skipped when already done.
#
#   bash scripts/ci-postgres.sh
#   export WEFT_TEST_DATABASE_URL=$(bash scripts/ci-postgres.sh | tail -1)
#
# Settings (environment):
#   PGDATA_DIR    cluster directory   default ${XDG_CACHE_HOME:-$HOME/.cache}/weft/pgdata
#   WEFT_PG_PORT  TCP port            default 55432 (listens on 127.0.0.1 only)
#
# The cluster trusts local connections (it is for tests); it does not touch the
# distribution's own cluster. Stop it with: pg_ctl -D "$PGDATA_DIR" stop
set -euo pipefail

PORT="${WEFT_PG_PORT:-55432}"
DATA="${PGDATA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/weft/pgdata}"
DB=weft_test
log() { echo "[ci-postgres] $*" >&2; }

find_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then echo "$dir"; return 0; fi
  done
  return 1
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else
    log "PostgreSQL is not installed and this user cannot install it (needs root or passwordless sudo)."
    log "Install the Debian package 'postgresql', or point WEFT_TEST_DATABASE_URL at a server you have."
    exit 1
  fi
}

if ! BIN=$(find_bin); then
  log "installing PostgreSQL from Debian packages (apt-get; takes a minute)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  BIN=$(find_bin) || { log "apt-get finished but no initdb/pg_ctl under /usr/lib/postgresql/*/bin"; exit 1; }
fi
log "using $BIN"

# PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || { log "running as root but there is no 'postgres' user (the Debian package creates it)"; exit 1; }
  run_pg() { runuser -u postgres -- "$@"; }
else
  run_pg() { "$@"; }
fi

mkdir -p "$DATA"
if [[ $(id -u) -eq 0 ]]; then
  chown postgres:postgres "$DATA"
  chmod 700 "$DATA"
  # The server must be able to reach its directory. Under /root that takes the
  # search bit (x, not read) on each closed parent; say so rather than do it silently.
  # Walk from / down, so each check sees the parents above it already open.
  DATA_ABS=$(cd "$DATA" && pwd -P)
  dir=""
  IFS=/ read -r -a parts <<< "${DATA_ABS#/}"
  for part in "${parts[@]:0:${#parts[@]}-1}"; do
    dir="$dir/$part"
    if ! runuser -u postgres -- test -x "$dir"; then
      log "granting traverse permission (o+x, not read) on $dir so the postgres user can reach $DATA_ABS; set PGDATA_DIR elsewhere to avoid this"
      chmod o+x "$dir"
    fi
  done
fi

if [[ ! -f "$DATA/PG_VERSION" ]]; then
  log "initialising a cluster in $DATA"
  run_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
fi

if run_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  log "already running ($DATA)"
else
  log "starting on 127.0.0.1:$PORT"
  # No Unix socket: the default socket folder may not be writable, and the tests use TCP.
  if ! run_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
      -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=''" start >/dev/null; then
    log "PostgreSQL did not start; the end of $DATA/server.log:"
    tail -20 "$DATA/server.log" >&2 || true
    exit 1
  fi
fi

PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -X -q -t -A)
ready=""
for _ in $(seq 1 50); do
  if "${PSQL[@]}" -d postgres -c 'SELECT 1' >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.2
done
if [[ -z "$ready" ]]; then
  log "the server in $DATA is running but does not answer on 127.0.0.1:$PORT (is it running with another port? stop it: pg_ctl -D $DATA stop)"
  exit 1
fi

if [[ "$("${PSQL[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]]; then
  log "creating database $DB"
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB" >/dev/null
fi

echo "postgres://postgres@127.0.0.1:$PORT/$DB"
