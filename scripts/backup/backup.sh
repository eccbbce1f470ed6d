#!/usr/bin/env bash
# Backs up a MongoDB database (Segue's library: tracks, segments, originals, covers) into one gzipped
# archive with mongodump.
#
#   MONGODB_URI=<connection-string> scripts/backup/backup.sh <archive> [mongodump options...]
#   MONGODB_URI_FILE=<file holding it> scripts/backup/backup.sh <archive> [mongodump options...]
#
# The connection string is never an argument, of this script or of mongodump: the process list would show
# its password. A connection string naming a database (mongodb://host/segue) dumps that database; one
# naming none dumps them all. Options after the archive go to mongodump as they are (--ssl --sslCAFile=ca.crt,
# --oplog for a point-in-time dump of a replica set). The archive is written beside its final name and
# renamed once mongodump has finished and it reads back whole: a failed backup leaves nothing behind,
# and an existing archive is never overwritten. Against the embedded database of `npm start` it only works
# for a small library: deploy/README.md, "Backup and restore".
set -euo pipefail
# shellcheck source=scripts/backup/mongo-tools.sh
source "$(dirname "$0")/mongo-tools.sh"

needs_archive "$0" mongodump "$@"
uri=$(connection_string backup) || exit 2
unset MONGODB_URI
archive=$1
shift
mongodump=$(mongo_tool mongodump) || exit 127
if [ -e "$archive" ]; then
  echo "backup: $archive already exists; not overwriting it" >&2
  exit 1
fi
if [ ! -d "$(dirname "$archive")" ]; then
  echo "backup: no folder $(dirname "$archive") to write $archive in" >&2
  exit 1
fi

partial="$archive.partial"
work=$(mktemp -d "${TMPDIR:-/tmp}/segue-backup.XXXXXX")
trap 'rm -rf "$work" "$partial"' EXIT
tool_config "$uri" "$work/mongodump.yaml"

echo "backup: $(masked_uri "$uri") -> $archive ($("$mongodump" --version | head -n 1))"
started=$(now)
"$mongodump" --config="$work/mongodump.yaml" --archive="$partial" --gzip "$@"
gzip -t "$partial"
mv "$partial" "$archive"
echo "backup: wrote $archive, $(stat -c %s "$archive") bytes, sha256 $(sha256sum "$archive" | cut -d ' ' -f 1), in $(elapsed_since "$started") s"
