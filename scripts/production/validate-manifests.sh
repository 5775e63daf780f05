#!/usr/bin/env bash
# Validates deploy/k8s/*.yaml against the Kubernetes JSON schemas with
# kubeconform, offline. Both come from package registries and are cached
# under ${XDG_CACHE_HOME:-$HOME/.cache}/weft:
#   - kubeconform: `go install` from the Go module proxy;
#   - the schemas: the kubernetes-validate wheel from PyPI (it ships the
#     Kubernetes OpenAPI as per-kind JSON schemas), made standalone by
#     scripts/production/k8s-schemas.ts.
# KEDA's ScaledObject is a CRD whose schema no registry ships in a form
# kubeconform reads; test/unit/deploy-k8s.test.ts checks it instead.
#
#   bash scripts/production/validate-manifests.sh [files...]
set -euo pipefail

KUBECONFORM_VERSION=v0.7.0
SCHEMAS_PACKAGE=kubernetes-validate==1.37.0
K8S_VERSION=v1.33.0
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/weft"
log() { echo "[validate-manifests] $*" >&2; }

KC="$CACHE/kubeconform-$KUBECONFORM_VERSION/kubeconform"
if [[ ! -x "$KC" ]]; then
  command -v go >/dev/null || { log "kubeconform is not in $KC and Go is not installed to build it"; exit 1; }
  log "building kubeconform $KUBECONFORM_VERSION into $(dirname "$KC") (once)"
  GOBIN="$(dirname "$KC")" GOFLAGS=-buildvcs=false go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
fi

SCHEMAS="$CACHE/k8s-schemas/$K8S_VERSION-standalone-strict"
if [[ ! -f "$SCHEMAS/deployment-apps-v1.json" ]]; then
  WORK="$CACHE/k8s-schemas/download"
  mkdir -p "$WORK"
  log "downloading $SCHEMAS_PACKAGE from PyPI (once)"
  python3 -m pip download --quiet --no-deps --dest "$WORK" "$SCHEMAS_PACKAGE"
  WHEEL=$(ls "$WORK"/kubernetes_validate-*.whl | head -1)
  rm -rf "$WORK/unpacked"
  python3 -m zipfile -e "$WHEEL" "$WORK/unpacked"
  SRC="$WORK/unpacked/kubernetes_validate/kubernetes-json-schema/$K8S_VERSION-local-strict"
  [[ -d "$SRC" ]] || { log "$WHEEL has no $K8S_VERSION-local-strict schemas"; exit 1; }
  (cd "$ROOT" && npx tsx scripts/production/k8s-schemas.ts "$SRC" "$SCHEMAS")
  rm -rf "$WORK/unpacked"
fi

if [[ $# -eq 0 ]]; then set -- "$ROOT"/deploy/k8s/*.yaml; fi
"$KC" -strict -summary -kubernetes-version "${K8S_VERSION#v}" \
  -schema-location "$SCHEMAS/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
  -skip ScaledObject "$@"
