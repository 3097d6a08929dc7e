#!/usr/bin/env bash
# Creates a kind cluster (kind-config.yaml), builds Caravan's image, loads it
# into the cluster and installs the Helm chart. Needs Docker, kind and helm.
set -euo pipefail
cd "$(dirname "$0")/.."

cluster=caravan
image=caravan:dev

for tool in docker kind helm kubectl; do
  command -v "$tool" >/dev/null || { echo "kind-up: $tool is required" >&2; exit 1; }
done

if ! kind get clusters | grep -qx "$cluster"; then
  kind create cluster --config kind-config.yaml
fi
docker build -t "$image" .
kind load docker-image "$image" --name "$cluster"
helm upgrade --install caravan charts/caravan \
  --namespace caravan-system --create-namespace \
  --set image.repository=caravan --set image.tag=dev --set image.pullPolicy=Never \
  --wait
kubectl --context "kind-$cluster" get nomad -A
echo "Caravan is running in kind-$cluster. Try: kubectl apply -f examples/"
