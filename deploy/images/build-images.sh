#!/usr/bin/env bash
# `npm run images`: builds the crud, stream and web images with buildah as faas-cli does (each function's
# handler Dockerfile, unchanged, with its build_args from stack.yml), on a base image made offline
# (make-base-image.sh). With of-watchdog built (`npm run openfaas:build`),
# the images are complete; without it they stop at the `server` stage, everything but the watchdog.
# Prints one line per image, `<function> <image>`; layers are cached between runs.
set -euo pipefail
source "$(dirname "$0")/engine.sh"
root="$(cd "$here/../.." && pwd)"
cd "$root"

tag="${TAG:-$(node -p 'require("./package.json").version')}"
# where `npm run openfaas:build` leaves the pinned of-watchdog
watchdog_binary=$(npx --no-install tsx -e 'import { openfaasToolPath } from "./functions/local/openfaas-tools.ts"; console.log(openfaasToolPath("of-watchdog"))')
watchdog_version=${watchdog_binary##*-}

base=$(bash "$here/make-base-image.sh")
build_args=(--build-arg "NODE_IMAGE=$base")
target=(--target server)
if [ -x "$watchdog_binary" ]; then
  watchdog_image="localhost/segue-base/of-watchdog:$watchdog_version"
  container=$(buildah from scratch)
  buildah copy --quiet --chmod 0755 "$container" "$watchdog_binary" /fwatchdog >/dev/null
  buildah commit --quiet --rm "$container" "$watchdog_image" >/dev/null
  build_args+=(--build-arg "WATCHDOG_IMAGE=$watchdog_image")
  target=()
else
  echo "images: of-watchdog is not built (npm run openfaas:build): building the server stage of each image" >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/segue-images.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The build context faas-cli would make: stack.yml's `configuration.copy` paths, as git sees them (no
# node_modules, dist or data). Only listing files: a clone owned by another user than root is fine.
context="$work/context"
mkdir -p "$context"
git -c safe.directory="$root" ls-files -z --cached --others --exclude-standard -- package.json package-lock.json tsconfig.json tsconfig.build.json functions api-client web \
  | tar --null -T - -cf - | tar -xf - -C "$context"

# Registry traffic from inside the build trusts what the host trusts; mounted for the build only, never
# part of an image.
printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nupdate-notifier=false\n' >"$work/npmrc"
mounts=(--volume /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro --volume "$work/npmrc:/usr/local/etc/npmrc:ro")

# One line per function of stack.yml: its name, its handler folder, then its build_args as KEY=VALUE.
# shellcheck disable=SC2016 # JavaScript in single quotes, its template literals not for the shell
stack_builds=$(node --input-type=module -e '
  import { readFileSync } from "node:fs";
  import { load } from "js-yaml";
  for (const [name, fn] of Object.entries(load(readFileSync("stack.yml", "utf8")).functions)) {
    console.log([name, fn.handler, ...Object.entries(fn.build_args ?? {}).map(([key, value]) => `${key}=${value}`)].join(" "));
  }')

while read -r function handler stack_args; do
  image="localhost/segue-$function:$tag"
  function_args=()
  # read into an array: split at spaces, never expanded as file names
  read -r -a stack_arg_list <<<"$stack_args"
  for arg in "${stack_arg_list[@]}"; do function_args+=(--build-arg "$arg"); done
  echo "images: building $image" >&2
  buildah bud --layers --force-rm --network host "${mounts[@]}" "${build_args[@]}" "${function_args[@]}" "${target[@]}" \
    -f "$context/$handler/Dockerfile" -t "$image" "$context" </dev/null >"$work/$function.log" 2>&1 \
    || { tail -n 40 "$work/$function.log" >&2; exit 1; }
  echo "$function $image"
done <<<"$stack_builds"

# The layer cache keeps what these builds used, and nothing older: every build of a changed tree would
# otherwise add its layers for good. Each step's log line names the layer it made or reused (a layer it made
# only by the 11 hex digits buildah prints).
used=$(grep -ohE '^--> (Using cache )?[0-9a-f]{11,}' "$work"/*.log | awk '{print substr($NF, 1, 11)}' | sort -u)
for id in $(buildah images --filter dangling=true --format '{{.ID}}'); do
  grep -qx "${id:0:11}" <<<"$used" || buildah rmi "$id" >/dev/null 2>&1 || true
done
for old in $(buildah images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/segue-base/node:' | grep -vxF "$base"); do
  buildah rmi "$old" >/dev/null 2>&1 || true
done
