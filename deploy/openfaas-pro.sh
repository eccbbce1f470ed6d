#!/usr/bin/env bash
# Deploys stack.yml on OpenFaaS Pro with what only Pro accepts: its autoscaler's labels (the Community
# Edition refuses com.openfaas.scale.type and .target, and a scale.max above 5). Build and push first:
#   faas-cli up -f stack.yml --skip-deploy
# Any further arguments go to each `faas-cli deploy` (e.g. --gateway).
set -euo pipefail
cd "$(dirname "$0")/.."
faas_cli="${FAAS_CLI:-faas-cli}"

# crud: scaled on calls in flight per replica; uploads are its long calls, MAX_CONCURRENT_UPLOADS of them each
"$faas_cli" deploy -f stack.yml --filter crud "$@" \
  --label com.openfaas.scale.type=capacity \
  --label com.openfaas.scale.target=4 \
  --label com.openfaas.scale.max=10

# stream: scaled on requests per second; a listener asks for a segment every few seconds
"$faas_cli" deploy -f stack.yml --filter stream "$@" \
  --label com.openfaas.scale.type=rps \
  --label com.openfaas.scale.target=200 \
  --label com.openfaas.scale.max=20

# web: static files, as on CE
"$faas_cli" deploy -f stack.yml --filter web "$@"
