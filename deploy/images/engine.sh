# Sourced by the image scripts: buildah and podman on this project's own settings, or one message saying what is missing.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CONTAINERS_CONF="$here/containers.conf"
export CONTAINERS_STORAGE_CONF="$here/storage.conf"
export BUILDAH_ISOLATION=chroot
# Docker's format keeps HEALTHCHECK, which OCI's image config has no field for.
export BUILDAH_FORMAT=docker

missing=()
for tool in buildah podman runc debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "images: ${missing[*]} not found; on Debian or Ubuntu: apt-get install buildah podman runc debootstrap" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "images: building and running the images needs root (debootstrap, and buildah without user namespaces): run as root or with sudo" >&2
  exit 1
fi
