#!/bin/sh
# Creates (or upgrades) Temporal's two PostgreSQL databases, temporal and
# temporal_visibility, with temporal-sql-tool and the schemas embedded in it.
# Safe to run again: each step is skipped or is a no-op when already done.
# The production test layer runs it with the tool it builds; docker-compose.yml
# runs it in the temporalio/admin-tools image.
#
# Environment (defaults in brackets):
#   SQL_TOOL [temporal-sql-tool]
#   TEMPORAL_DB_HOST [127.0.0.1] TEMPORAL_DB_PORT [5432]
#   TEMPORAL_DB_USER [temporal]  TEMPORAL_DB_PASSWORD [temporal]
set -eu

SQL_TOOL="${SQL_TOOL:-temporal-sql-tool}"
tool() {
  "$SQL_TOOL" --plugin postgres12 --ep "${TEMPORAL_DB_HOST:-127.0.0.1}" -p "${TEMPORAL_DB_PORT:-5432}" \
    -u "${TEMPORAL_DB_USER:-temporal}" --pw "${TEMPORAL_DB_PASSWORD:-temporal}" "$@"
}

for pair in temporal:postgresql/v12/temporal temporal_visibility:postgresql/v12/visibility; do
  db="${pair%%:*}"
  schema="${pair#*:}"
  # create-database fails when the database exists; that is the one failure to ignore,
  # and setup-schema below fails clearly if the database is really missing.
  if out=$(tool --db "$db" create-database --defaultdb postgres 2>&1); then
    echo "[temporal-schema] created database $db"
  elif echo "$out" | grep -q "already exists"; then
    echo "[temporal-schema] database $db exists"
  else
    echo "$out" >&2
    exit 1
  fi
  tool --db "$db" setup-schema -v 0.0 >/dev/null
  tool --db "$db" update-schema --schema-name "$schema" >/dev/null
  echo "[temporal-schema] $db is at the schema of $($SQL_TOOL --version 2>/dev/null | head -1 || echo "$SQL_TOOL")"
done
