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

# needs_archive SCRIPT TOOL ARGUMENTS... stops SCRIPT with its usage unless ARGUMENTS begin with an archive,
# not a connection string: every user can read every process's command line (ps), and a connection string
# may hold a password.
needs_archive() {
  local script=$1 tool=$2
  shift 2
  if [ $# -lt 1 ] || [[ $1 =~ ^mongodb(\+srv)?:// ]]; then
    [ $# -lt 1 ] || echo "$(basename "$script" .sh): the connection string goes in MONGODB_URI or a file named by MONGODB_URI_FILE, never on the command line, where the process list shows it" >&2
    echo "usage: MONGODB_URI=<connection-string> $script <archive> [$tool options...]" >&2
    echo "   or: MONGODB_URI_FILE=<file holding it> $script <archive> [$tool options...]" >&2
    exit 2
  fi
}

# connection_string SCRIPT prints the connection string the scripts work with: the content of the file
# MONGODB_URI_FILE names (a mounted secret, say), else MONGODB_URI. Without either it says so, and fails.
connection_string() {
  if [ -n "${MONGODB_URI_FILE:-}" ]; then
    if [ ! -r "$MONGODB_URI_FILE" ]; then
      echo "$1: cannot read MONGODB_URI_FILE ($MONGODB_URI_FILE)" >&2
      return 1
    fi
    printf '%s' "$(<"$MONGODB_URI_FILE")"
  elif [ -n "${MONGODB_URI:-}" ]; then
    printf '%s' "$MONGODB_URI"
  else
    echo "$1: set MONGODB_URI to the connection string, or MONGODB_URI_FILE to a file holding it" >&2
    return 1
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
