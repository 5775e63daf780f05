#!/bin/sh
# Registers the namespace Weft runs in and Weft's custom search attributes
# (src/temporal/search-attributes.ts; a unit test keeps the two in step).
# Idempotent. The production test layer runs it with the cached Temporal CLI;
# docker-compose.yml runs it in the temporalio/admin-tools image.
#
# Environment: TEMPORAL_CLI [temporal], TEMPORAL_ADDRESS [127.0.0.1:7233],
#              TEMPORAL_NAMESPACE [default], TEMPORAL_RETENTION [72h]
set -eu

CLI="${TEMPORAL_CLI:-temporal}"
ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
NS="${TEMPORAL_NAMESPACE:-default}"

# The frontend may still be starting (docker compose starts this next to it).
for attempt in $(seq 1 60); do
  "$CLI" operator cluster health --address "$ADDRESS" >/dev/null 2>&1 && break
  [ "$attempt" -eq 60 ] && { echo "[temporal-namespace] no healthy Temporal frontend at $ADDRESS" >&2; exit 1; }
  sleep 1
done

if "$CLI" operator namespace describe --address "$ADDRESS" --namespace "$NS" >/dev/null 2>&1; then
  echo "[temporal-namespace] namespace $NS exists"
else
  "$CLI" operator namespace create --address "$ADDRESS" --namespace "$NS" --retention "${TEMPORAL_RETENTION:-72h}"
fi

# A new namespace reaches every frontend's cache within seconds; retry until it has.
for attempt in $(seq 1 30); do
  if "$CLI" operator search-attribute create --address "$ADDRESS" --namespace "$NS" \
      --name WeftDag --type Keyword --name WeftStatus --type Keyword >/dev/null 2>&1; then
    break
  fi
  # Already registered also fails the create; listing tells the two apart.
  if "$CLI" operator search-attribute list --address "$ADDRESS" --namespace "$NS" 2>/dev/null | grep -q WeftStatus; then
    break
  fi
  [ "$attempt" -eq 30 ] && { echo "[temporal-namespace] could not register the search attributes in $NS" >&2; exit 1; }
  sleep 1
done
echo "[temporal-namespace] $NS has WeftDag and WeftStatus (Keyword)"
