#!/usr/bin/env bash
# Derives apt deb-src entries from the deb entries a machine already has, so `apt-get source`
# fetches from the same mirror as `apt-get install` (a local or air-gapped one included); no
# mirror host is written here.
# Usage: scripts/deb_src.sh <apt dir, e.g. /etc/apt> <output dir>
#   exit 0, nothing written   the machine already has deb-src entries
#   exit 0                    wrote <output dir>/imps-deb-src.sources (from the deb822 *.sources
#                             files) and/or imps-deb-src.list (from the one-line sources.list forms)
#   exit 1                    there is no deb entry to derive from (message on stderr)
set -euo pipefail
apt=${1:?usage: $0 <apt dir> <output dir>}
out=${2:?usage: $0 <apt dir> <output dir>}
shopt -s nullglob
deb822_files=("$apt"/sources.list.d/*.sources)
oneline_files=()
[ -f "$apt/sources.list" ] && oneline_files+=("$apt/sources.list")
oneline_files+=("$apt"/sources.list.d/*.list)

if [ ${#deb822_files[@]} -gt 0 ] && awk 'tolower($0) ~ /^types:/ && (" " tolower($0) " ") ~ /[ \t]deb-src[ \t]/ { f = 1 } END { exit !f }' "${deb822_files[@]}"; then
  exit 0
fi
if [ ${#oneline_files[@]} -gt 0 ] && grep -qE '^[[:space:]]*deb-src[[:space:]]' "${oneline_files[@]}"; then
  exit 0
fi

# deb822: every stanza whose Types include deb, as Types: deb-src; its other fields (Signed-By
# key blocks on continuation lines, Enabled, options) are kept as they are; comments are dropped.
deb822=
if [ ${#deb822_files[@]} -gt 0 ]; then
  deb822=$(awk '
    function flush() {
      if (body != "" && (" " types " ") ~ / deb /) { printf "%sTypes: deb-src\n%s", (n++ ? "\n" : ""), body }
      types = ""; body = ""
    }
    FNR == 1 { flush() }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    tolower($0) ~ /^types:/ { types = substr($0, 7); gsub(/[ \t]+/, " ", types); next }
    { body = body $0 "\n" }
    END { flush() }
  ' "${deb822_files[@]}")
fi
# One-line form: "deb [options] uri suite components" becomes "deb-src [options] uri suite ...".
oneline=
if [ ${#oneline_files[@]} -gt 0 ]; then
  oneline=$(sed -nE 's/^[[:space:]]*deb([[:space:]])/deb-src\1/p' "${oneline_files[@]}")
fi

if [ -z "$deb822" ] && [ -z "$oneline" ]; then
  echo "deb_src: no apt 'deb' entry in $apt/sources.list, $apt/sources.list.d/*.list or" \
       "$apt/sources.list.d/*.sources: configure the machine's Debian 12 mirror first" \
       "(the library sources are fetched from it with apt-get source)" >&2
  exit 1
fi
mkdir -p "$out"
if [ -n "$deb822" ]; then printf '%s\n' "$deb822" > "$out/imps-deb-src.sources"; fi
if [ -n "$oneline" ]; then printf '%s\n' "$oneline" > "$out/imps-deb-src.list"; fi
