#!/usr/bin/env bash
# Restores an archive written by backup.sh with mongorestore, replacing what it holds.
#
#   MONGODB_URI=<connection-string> scripts/backup/restore.sh <archive> [mongorestore options...]
#   MONGODB_URI_FILE=<file holding it> scripts/backup/restore.sh <archive> [mongorestore options...]
#
# The connection string is never an argument, as with backup.sh.
# Every collection in the archive is dropped first (--drop) and restored whole, with its indexes;
# collections the archive does not hold are left alone. It stops at the first document that fails.
# A connection string naming a database restores only that database from the archive; one naming none
# restores everything in it, under the names it was dumped from. Options after the archive go to
# mongorestore as they are (--ssl --sslCAFile=ca.crt, --oplogReplay for an archive dumped with --oplog,
# --nsFrom 'segue.*' --nsTo 'segue_restored.*' to restore beside the live data).
set -euo pipefail
# shellcheck source=scripts/backup/mongo-tools.sh
source "$(dirname "$0")/mongo-tools.sh"

needs_archive "$0" mongorestore "$@"
uri=$(connection_string restore) || exit 2
unset MONGODB_URI
archive=$1
shift
mongorestore=$(mongo_tool mongorestore) || exit 127
if [ ! -f "$archive" ] || [ ! -r "$archive" ]; then
  echo "restore: no archive to read at $archive" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/segue-restore.XXXXXX")
trap 'rm -rf "$work"' EXIT
tool_config "$uri" "$work/mongorestore.yaml"

echo "restore: $archive ($(stat -c %s "$archive") bytes, sha256 $(sha256sum "$archive" | cut -d ' ' -f 1)) -> $(masked_uri "$uri"), dropping each collection it holds first ($("$mongorestore" --version | head -n 1))"
started=$(now)
"$mongorestore" --config="$work/mongorestore.yaml" --archive="$archive" --gzip --drop --stopOnError "$@"
echo "restore: done in $(elapsed_since "$started") s"
