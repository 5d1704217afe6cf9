#!/usr/bin/env bash
# Installs what building (and, with `test`, testing) imps needs on Debian 12, and unpacks the
# upstream sources of mbedTLS, cJSON and libyaml from Debian's source packages into
# third_party/src/ (git-ignored). Idempotent and quiet when everything is already there.
#   scripts/setup.sh build   compilers, cmake, library sources
#   scripts/setup.sh image   the above plus python3 (writes the OCI image archive)
#   scripts/setup.sh test    the above plus openssl, kubectl, botocore, PyYAML, doctest, and
#                            skopeo and umoci (they read and unpack the image archive in tests)
#   scripts/setup.sh cross   the above plus the aarch64 cross toolchain and qemu-user
#   scripts/setup.sh fuzz    the above plus clang and its libFuzzer runtime
set -euo pipefail
what=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
srcdir=$top/third_party/src

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

updated=
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -z "$updated" ]; then as_root apt-get update -qq; updated=1; fi
  echo "setup: installing ${missing[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# `apt-get source` needs deb-src entries; scripts/deb_src.sh derives them from the machine's own
# deb entries when there are none (and says what is missing when it cannot).
ensure_deb_src() {
  local tmp; tmp=$(mktemp -d)
  "$top/scripts/deb_src.sh" /etc/apt "$tmp" || { rm -rf "$tmp"; exit 1; }
  if [ -n "$(ls -A "$tmp")" ]; then
    echo "setup: adding deb-src entries derived from the machine's deb entries" >&2
    as_root install -m 0644 "$tmp"/* /etc/apt/sources.list.d/
    as_root apt-get update -qq; updated=1
  fi
  rm -rf "$tmp"
}

# fetch_source <debian source package> <folder name under third_party/src>
fetch_source() {
  local pkg=$1 dest=$srcdir/$2
  [ -f "$dest/.imps-unpacked" ] && return 0
  ensure_deb_src
  local tmp; tmp=$(mktemp -d)
  echo "setup: fetching Debian source package $pkg" >&2
  (cd "$tmp" && apt-get source -qq "$pkg" >/dev/null 2>&1) || { echo "setup: apt-get source $pkg failed" >&2; rm -rf "$tmp"; exit 1; }
  rm -rf "$dest"; mkdir -p "$srcdir"
  mv "$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)" "$dest"
  rm -rf "$tmp"
  touch "$dest/.imps-unpacked"
}

apt_install build-essential cmake dpkg-dev ca-certificates file
fetch_source mbedtls mbedtls
fetch_source cjson cjson
fetch_source libyaml libyaml

case "$what" in
  build) ;;
  image) apt_install python3 ;;
  test) apt_install python3 python3-botocore python3-yaml openssl doctest-dev procps skopeo umoci
        command -v kubectl >/dev/null 2>&1 || apt_install kubernetes-client ;;
  fuzz) apt_install clang libclang-rt-14-dev ;;
  cross) apt_install gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user-static python3 openssl ;;
  *) echo "usage: $0 build|image|test|cross|fuzz" >&2; exit 2 ;;
esac
