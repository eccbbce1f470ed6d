#!/usr/bin/env bash
# Builds mongodump and mongorestore (MongoDB Database Tools, the release pinned in mongo-tools.sh) from a
# git clone of github.com/mongodb/mongo-tools, with its vendored modules: nothing is downloaded.
#
#   MONGO_TOOLS_SOURCES=<folder holding a clone named mongo-tools> bash scripts/backup/build-mongo-tools.sh
#
# They land in .cache/mongo-tools/<version>/, where backup.sh and restore.sh look for them when they are
# not on PATH; a build already there is kept. Static binaries (no cgo): TLS comes from Go's own
# crypto/tls, so only Kerberos (GSSAPI) authentication is left out. The Go module proxy is no way to get
# them: the releases are tagged 100.x.y while the module path has no /v100, so Go sees no version.
set -euo pipefail
# shellcheck source=scripts/backup/mongo-tools.sh
source "$(dirname "$0")/mongo-tools.sh"
tools=(mongodump mongorestore)

built() {
  local tool
  for tool in "${tools[@]}"; do [ -x "$MONGO_TOOLS_CACHE/$tool" ] || return 1; done
}
if built; then
  echo "mongo-tools $MONGO_TOOLS_VERSION already built in $MONGO_TOOLS_CACHE"
  exit 0
fi

clone="${MONGO_TOOLS_SOURCES:-}/mongo-tools"
if [ -z "${MONGO_TOOLS_SOURCES:-}" ] || ! git -C "$clone" rev-parse --git-dir >/dev/null 2>&1; then
  echo "mongo-tools: set MONGO_TOOLS_SOURCES to a folder holding a git clone of github.com/mongodb/mongo-tools named mongo-tools" >&2
  exit 1
fi
if ! command -v go >/dev/null; then
  echo "mongo-tools: Go is not installed; it builds mongodump and mongorestore" >&2
  exit 1
fi
if ! commit=$(git -C "$clone" rev-parse --verify --quiet "refs/tags/$MONGO_TOOLS_VERSION^{commit}"); then
  echo "mongo-tools: $clone has no tag $MONGO_TOOLS_VERSION (git -C $clone fetch --tags)" >&2
  exit 1
fi

mkdir -p "$(dirname "$MONGO_TOOLS_CACHE")"
work=$(mktemp -d "$(dirname "$MONGO_TOOLS_CACHE")/build-$MONGO_TOOLS_VERSION.XXXXXX")
trap 'rm -rf "$work"' EXIT
git -C "$clone" archive --format=tar "$commit" | tar -x -C "$work" --one-top-level=source
mkdir "$work/bin"
started=$(now)
for tool in "${tools[@]}"; do
  # the release build's version stamp (buildscript/build.go), without its -buildmode=pie, which needs cgo
  (cd "$work/source" && CGO_ENABLED=0 GOFLAGS=-mod=vendor GOPROXY=off GOTOOLCHAIN=local \
    go build -trimpath -ldflags "-s -w -X main.VersionStr=$MONGO_TOOLS_VERSION -X main.GitCommit=$commit" \
    -o "$work/bin/$tool" "./$tool/main")
done
rm -rf "$MONGO_TOOLS_CACHE"
mv "$work/bin" "$MONGO_TOOLS_CACHE"
for tool in "${tools[@]}"; do
  echo "$tool ready: $MONGO_TOOLS_CACHE/$tool ($("$MONGO_TOOLS_CACHE/$tool" --version | head -n 1))"
done
echo "mongo-tools $MONGO_TOOLS_VERSION built from $commit in $(elapsed_since "$started") s"
