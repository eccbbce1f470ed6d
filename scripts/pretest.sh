#!/usr/bin/env bash
# What `npm test` needs before the suite starts; every step is cached, so a second run passes through.
set -euo pipefail
cd "$(dirname "$0")/.."

# the system tools (installed with apt where it can, or one message naming them)
bash scripts/system-packages.sh
# the embedded database, built once with Maven
npm run --silent db:build
# schemathesis, in a virtualenv of its own
npm run --silent contract:setup
# promtool, for the alert rules
bash scripts/promtool.sh
# the manifest checker (tools/manifest-check) into .cache/: Go's build cache makes a rebuild from unchanged
# sources a fraction of a second. A failed build stops nothing here: its test builds it again and says why.
if command -v go >/dev/null; then
  npm run --silent manifests:build ||
    echo "pretest: the manifest checker did not build; its test will fail saying why" >&2
else
  echo "pretest: Go is not installed, so the manifest check's test will be skipped" >&2
fi
# the images the container tests run, built with buildah; that needs root, and without it those tests are
# skipped, saying so
if [ "$(id -u)" -eq 0 ]; then
  npm run --silent images >/dev/null
else
  echo "pretest: not root, so the images are not built and their tests will be skipped" >&2
fi
