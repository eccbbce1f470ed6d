#!/usr/bin/env bash
# The system packages the tests (and benchmarks) run: installs the missing ones on Debian or Ubuntu as
# root or with passwordless sudo; anywhere else it stops with one message naming what to install.
# `npm test` runs it first (pretest), and so does CI.
set -euo pipefail

# Debian package, then a command it provides:
#   ffmpeg/ffprobe transcode and make the test fixtures; GStreamer is one of the real players the tests
#   use (its Python bindings play a growing stream from its start, as a GStreamer application would); Chromium runs the browser tests; Java and Maven build and run the embedded database; a Python
#   virtualenv holds schemathesis; buildah, podman, runc and debootstrap build and run the images;
#   nginx and wrk are the stream benchmark's reference server and load generator.
requirements=(
  "ffmpeg ffmpeg"
  "gstreamer1.0-tools gst-launch-1.0"
  "gstreamer1.0-plugins-base gst-launch-1.0"
  "gstreamer1.0-plugins-good gst-launch-1.0"
  "gstreamer1.0-plugins-bad gst-launch-1.0"
  "gstreamer1.0-libav gst-launch-1.0"
  "python3-gi python3"
  "gir1.2-gstreamer-1.0 python3"
  "chromium chromium"
  "default-jdk-headless java"
  "maven mvn"
  "python3-venv python3"
  "buildah buildah"
  "podman podman"
  "runc runc"
  "debootstrap debootstrap"
  "nginx-light nginx"
  "wrk wrk"
)

missing=()
if command -v dpkg-query >/dev/null; then
  for requirement in "${requirements[@]}"; do
    package=${requirement%% *}
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
else
  for requirement in "${requirements[@]}"; do
    command -v "${requirement##* }" >/dev/null || missing+=("${requirement##* }")
  done
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null && command -v dpkg-query >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo); else
    echo "Missing system packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing the system packages the tests need: ${missing[*]}" >&2
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  exit 0
fi

echo "Missing tools: ${missing[*]}. The tests run on Debian or Ubuntu, where this installs them itself; elsewhere install ${missing[*]} (FFmpeg, GStreamer with its base, good, bad and libav plugins and its Python bindings (PyGObject), Chromium, a JDK 17+, Maven, Python 3 with venv, buildah, podman, runc, debootstrap, nginx, wrk)." >&2
exit 1
