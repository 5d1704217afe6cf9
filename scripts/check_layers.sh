#!/usr/bin/env bash
# Layers point one way (docs/architecture.md): each src/ folder may include only the folders
# listed for it here. Prints every violating include and exits 1 if there is one.
set -euo pipefail
cd "$(dirname "$0")/../src"
declare -A allowed=(
  [base]="base"
  [obs]="base obs"
  [loop]="base loop"
  [net]="base loop net"
  [http]="base loop net http obs"
  [kube]="base loop net http obs kube"
  [aws]="base loop net http obs aws"
  [imps]="base imps"
  [app]="base obs app"
  [modes]="base loop net http obs kube aws imps app modes"
)
status=0
for dir in "${!allowed[@]}"; do
  [ -d "$dir" ] || continue
  while IFS= read -r line; do
    file=${line%%:*}
    inc=$(sed -E 's/.*#include "([^"/]+)\/.*/\1/' <<<"$line")
    if [[ " ${allowed[$dir]} " != *" $inc "* ]]; then
      echo "layering: $file includes $inc/ (allowed: ${allowed[$dir]})"
      status=1
    fi
  done < <(grep -HE '^#include "[^"/]+/' "$dir"/*.h "$dir"/*.cc 2>/dev/null || true)
done
exit $status
