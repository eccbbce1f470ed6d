#!/usr/bin/env bash
# promtool, which checks the example alert rules (deploy/prometheus/), taken out of Debian's prometheus
# package into .cache/prometheus/ rather than installing the package, which would also start a server.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/prometheus/promtool
[ -x "$dest" ] && exit 0
command -v promtool >/dev/null && exit 0
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  echo "promtool: not found; the alert rules test will be skipped (install Prometheus's promtool to run it)" >&2
  exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/segue-promtool.XXXXXX")
trap 'rm -rf "$work"' EXIT
# apt-get download needs no root, only package lists; a machine without them gets them first
if ! (cd "$work" && apt-get download -q prometheus >/dev/null 2>&1); then
  if [ "$(id -u)" -eq 0 ]; then apt-get update -q >/dev/null; elif ! sudo -n apt-get update -q >/dev/null 2>&1; then
    echo "promtool: no package lists, and no root to fetch them; the alert rules test will be skipped" >&2
    exit 0
  fi
  (cd "$work" && apt-get download -q prometheus >/dev/null)
fi
dpkg-deb -x "$work"/prometheus_*.deb "$work/package"
mkdir -p "$(dirname "$dest")"
install -m 0755 "$work/package/usr/bin/promtool" "$dest"
