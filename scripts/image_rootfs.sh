#!/usr/bin/env bash
# Assembles the container image's whole file tree, exactly what deploy/Dockerfile's final
# `FROM scratch` stage holds, without a container engine:
#   <outdir>/imps                                  the static binary (0755)
#   <outdir>/manager -> imps                       the original image's binary name, so manifests
#                                                  with `command: [/manager]` run imps unchanged
#   <outdir>/etc/ssl/certs/ca-certificates.crt     Debian's CA bundle, for AWS endpoints (0644)
# Usage: scripts/image_rootfs.sh <outdir> [binary, default build/imps]
# <outdir> must be absent or empty, so the tree never holds leftovers. The binary must be static:
# the image has no dynamic loader and no libc.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: $0 <outdir> [binary]}
binary=${2:-$top/build/imps}
bundle=/etc/ssl/certs/ca-certificates.crt

[ -x "$binary" ] || { echo "image_rootfs: $binary is missing: run make first" >&2; exit 1; }
[ -f "$bundle" ] || { echo "image_rootfs: $bundle is missing: install ca-certificates" >&2; exit 1; }
# A dynamically linked ELF file names its loader in a PT_INTERP program header.
if LC_ALL=C readelf -lW "$binary" 2>/dev/null | grep -q 'Requesting program interpreter'; then
  echo "image_rootfs: $binary is dynamically linked; the scratch image needs a static binary" >&2
  exit 1
fi
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
  echo "image_rootfs: $out is not empty" >&2
  exit 1
fi

mkdir -p "$out/etc/ssl/certs"
install -m 0755 "$binary" "$out/imps"
ln -s imps "$out/manager"
install -m 0644 "$bundle" "$out/etc/ssl/certs/ca-certificates.crt"
chmod 0755 "$out" "$out/etc" "$out/etc/ssl" "$out/etc/ssl/certs"
