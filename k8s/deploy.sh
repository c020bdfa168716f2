#!/usr/bin/env bash
# Deploys one overlay in the order a release needs:
#   1. everything but the Deployments: namespace, config, Secrets (local), Services, Ingress,
#      Dapr resources, and a fresh migrations Job;
#   2. waits for the migrations to complete — if they fail, nothing else changes and the running
#      version keeps serving;
#   3. applies the Deployments (a rolling update that never drops below capacity) and waits for
#      each rollout. A rollout that does not become ready is reported with how to undo it.
#
#   k8s/deploy.sh local | production
set -euo pipefail

overlay="${1:?usage: k8s/deploy.sh local|production}"
dir="$(cd "$(dirname "$0")" && pwd)/overlays/$overlay"
[ -f "$dir/kustomization.yaml" ] || { echo "no overlay at $dir" >&2; exit 2; }
ns=giftflow
job=giftflow-migrate
services=(gateway notification reminder recurring audit)

kubectl() { command "${KUBECTL:-kubectl}" "$@"; }  # KUBECTL names another binary or wrapper
say() { printf '\n== %s\n' "$*"; }

say "config, Services, Dapr resources and the migrations Job"
# A Job's pod template cannot change, and each release must run its own migrations.
kubectl -n "$ns" delete job "$job" --ignore-not-found
kubectl apply -k "$dir" --selector 'app.kubernetes.io/component!=server'

say "migrations"
while :; do
  state="$(kubectl -n "$ns" get job "$job" \
    -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')"
  case "$state" in
    *Complete*) break ;;
    *Failed*)
      kubectl -n "$ns" logs "job/$job" --all-containers --tail=100 >&2 || true
      echo "migrations failed: the Deployments were not touched, the running version keeps serving" >&2
      exit 1 ;;
  esac
  sleep 3
done
kubectl -n "$ns" logs "job/$job" --tail=20 || true

say "rolling update"
kubectl apply -k "$dir"
for service in "${services[@]}"; do
  if ! kubectl -n "$ns" rollout status "deployment/$service" --timeout=10m; then
    echo "deployment/$service did not become ready. Its previous pods are still serving;" >&2
    echo "to go back:  make rollback SERVICE=$service   (kubectl -n $ns rollout undo deployment/$service)" >&2
    exit 1
  fi
done
say "deployed $overlay"
