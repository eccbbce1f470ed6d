# shellcheck shell=bash
# Sourced by the backup scripts: which MongoDB Database Tools they use, and where they find them.

# The release build-mongo-tools.sh builds (a tag of github.com/mongodb/mongo-tools).
MONGO_TOOLS_VERSION=100.18.0
MONGO_TOOLS_CACHE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.cache/mongo-tools/$MONGO_TOOLS_VERSION"

# mongo_tool NAME prints the path of mongodump or mongorestore: from MONGO_TOOLS_BIN when that is set,
# else from PATH, else the project's own build. Without one it says what to do, and fails.
mongo_tool() {
  local name=$1
  if [ -n "${MONGO_TOOLS_BIN:-}" ]; then
    if [ -x "$MONGO_TOOLS_BIN/$name" ]; then
      echo "$MONGO_TOOLS_BIN/$name"
      return 0
    fi
    echo "$name: not found in MONGO_TOOLS_BIN ($MONGO_TOOLS_BIN)" >&2
    return 1
  fi
  if command -v "$name" >/dev/null; then
    command -v "$name"
  elif [ -x "$MONGO_TOOLS_CACHE/$name" ]; then
    echo "$MONGO_TOOLS_CACHE/$name"
  else
    cat >&2 <<MISSING
$name: not found. Install the MongoDB Database Tools (100.x), or build $MONGO_TOOLS_VERSION from a git clone:
  MONGO_TOOLS_SOURCES=<folder holding a clone named mongo-tools> bash scripts/backup/build-mongo-tools.sh
or set MONGO_TOOLS_BIN to the folder that holds $name.
MISSING
    return 1
  fi
}

# needs_uri_and_archive COUNT SCRIPT TOOL stops SCRIPT with its usage unless given COUNT >= 2 arguments.
needs_uri_and_archive() {
  if [ "$1" -lt 2 ]; then
    echo "usage: $2 <connection-string> <archive> [$3 options...]" >&2
    exit 2
  fi
}

# The connection string fit to print: any password in it masked.
masked_uri() {
  sed -E 's#^(mongodb(\+srv)?://[^:@/]*):[^@/]*@#\1:****@#' <<<"$1"
}

# tool_config URI FILE writes the --config file the tools read their connection from, readable by its owner
# only: on a command line the password would be in the process list. The password goes in the file's own
# `password:` key, out of the connection string, which the tools print when they cannot connect.
tool_config() {
  local uri=$1 password='' encoded
  if [[ $uri =~ ^(mongodb(\+srv)?://[^:@/]*):([^@/]*)@(.*)$ ]]; then
    uri="${BASH_REMATCH[1]}@${BASH_REMATCH[4]}"
    encoded=${BASH_REMATCH[3]//\\/\\\\}
    password=$(printf '%b' "${encoded//%/\\x}")
  fi
  (
    umask 077
    {
      printf "uri: '%s'\n" "${uri//\'/\'\'}"
      [ -z "$password" ] || printf "password: '%s'\n" "${password//\'/\'\'}"
    } >"$2"
  )
}

# Seconds since the epoch, to the millisecond.
now() {
  date +%s.%3N
}

elapsed_since() {
  awk -v start="$1" -v end="$(now)" 'BEGIN { printf "%.1f", end - start }'
}
