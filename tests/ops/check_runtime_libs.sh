#!/usr/bin/env bash
# Checks that deploy/docker/runtime-packages.txt is exactly what the lnob binaries need at run
# time, without a Docker engine: `ldd` on every binary of BIN_DIR, `dpkg -S` on every library.
#
#   bash tests/ops/check_runtime_libs.sh BIN_DIR [PACKAGES_FILE]
#
#   BIN_DIR         folder with the built binaries (e.g. build/bin): every ELF executable in it
#   PACKAGES_FILE   default deploy/docker/runtime-packages.txt
#
# Needs: ldd, readelf (binutils), dpkg; the binaries built on Debian 12 with tools/deps.sh.
# Fails when a library is not found, when a library comes from a package that is neither listed
# nor on the allowlist below, or when a listed package provides none of the libraries.
# Takes a few seconds.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN_DIR=${1:?usage: check_runtime_libs.sh BIN_DIR [PACKAGES_FILE]}
PKG_FILE=${2:-$ROOT/deploy/docker/runtime-packages.txt}

# Packages every debian:12-slim image already contains, so runtime-packages.txt need not list
# them. In bookworm these libraries have Priority "optional"; they are in the slim image because
# Essential or base packages depend on them:
#   libc6, libgcc-s1, zlib1g   dpkg, coreutils and the other Essential packages
#   libstdc++6                 apt (libapt-pkg6.0)
#   libgnutls30 and its chain  apt (HTTPS transport): libgmp10 libhogweed6 libnettle8 libidn2-0
#                              libunistring2 libp11-kit0 libffi8 libtasn1-6
# Keep this list short and sure: a package listed here that the slim image lacks would make the
# image fail at start, which the Dockerfile's own `ldd` step catches at build time.
SLIM_BASE_ALLOWLIST=(
  libc6 libgcc-s1 zlib1g libstdc++6
  libgnutls30 libgmp10 libhogweed6 libnettle8 libidn2-0 libunistring2 libp11-kit0 libffi8 libtasn1-6
)

fail=0
err() { echo "check_runtime_libs: $*" >&2; fail=1; }

[ -d "$BIN_DIR" ] || { echo "check_runtime_libs: $BIN_DIR is not a folder" >&2; exit 2; }
[ -f "$PKG_FILE" ] || { echo "check_runtime_libs: $PKG_FILE not found" >&2; exit 2; }
for tool in ldd readelf dpkg; do
  command -v "$tool" >/dev/null || { echo "check_runtime_libs: $tool not found" >&2; exit 2; }
done

mapfile -t listed < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$PKG_FILE")
[ ${#listed[@]} -gt 0 ] || { echo "check_runtime_libs: $PKG_FILE lists no package" >&2; exit 2; }

in_list() {  # word list...
  local w=$1; shift
  local x; for x in "$@"; do [ "$x" = "$w" ] && return 0; done
  return 1
}

# Debian 12 has a merged /usr: ldd may print /lib/... while dpkg recorded /usr/lib/... (or the
# other way round), and sonames are often symlinks. candidates() lists the spellings to try.
candidates() {
  local p=$1 real; real=$(readlink -f "$p")
  printf '%s\n' "$p" "/usr$p" "${p#/usr}" "$real" "/usr$real" "${real#/usr}" | awk 'NF && !seen[$0]++'
}

# First pass: every (binary, soname, path) that ldd resolves; NEEDED sonames per binary.
declare -A direct_so=()   # "binary soname" -> 1 when the binary links it directly
entries=()
nbin=0
for bin in "$BIN_DIR"/*; do
  [ -f "$bin" ] && [ -x "$bin" ] || continue
  head -c 4 "$bin" | grep -q 'ELF' || continue
  nbin=$((nbin + 1))
  name=$(basename "$bin")
  ldd_out=$(ldd "$bin" 2>&1) || { err "$name: ldd failed: $ldd_out"; continue; }
  if grep -q 'not found' <<<"$ldd_out"; then
    err "$name: missing libraries: $(grep 'not found' <<<"$ldd_out" | awk '{print $1}' | tr '\n' ' ')"
  fi
  while read -r so; do direct_so["$name $so"]=1; done < <(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  while read -r soname path; do
    [ -n "$path" ] && entries+=("$name $soname $path")
  done < <(awk '$2 == "=>" && $3 ~ /^\// {print $1, $3} $1 ~ /^\// {print $1, $1}' <<<"$ldd_out")
done

# One dpkg -S for every candidate path (dpkg -S is slow per call): path -> package.
declare -A owner=()
mapfile -t all_candidates < <(for e in "${entries[@]}"; do candidates "${e##* }"; done | sort -u)
if [ ${#all_candidates[@]} -gt 0 ]; then
  while IFS= read -r line; do
    # "pkg:arch: /path" or "pkg1:arch, pkg2:arch: /path" (diversions); the first names the owner
    path=${line##*: }
    pkg=${line%%:*}; pkg=${pkg%%,*}
    [ -n "${owner[$path]:-}" ] || owner[$path]=$pkg
  done < <(dpkg -S "${all_candidates[@]}" 2>/dev/null || true)
fi

declare -A used=()     # package -> 1 when it provides a library of some binary
declare -A direct=()   # package -> 1 when a binary links it directly (NEEDED)
for e in "${entries[@]}"; do
  read -r name soname path <<<"$e"
  pkg=""
  while read -r c; do
    if [ -n "${owner[$c]:-}" ]; then pkg=${owner[$c]}; break; fi
  done < <(candidates "$path")
  if [ -z "$pkg" ]; then
    err "$name: $soname ($path) belongs to no Debian package"
    continue
  fi
  used[$pkg]=1
  [ -n "${direct_so["$name $soname"]:-}" ] && direct[$pkg]=1
  if ! in_list "$pkg" "${listed[@]}" && ! in_list "$pkg" "${SLIM_BASE_ALLOWLIST[@]}"; then
    err "$name: $soname comes from $pkg, which is neither in $(basename "$PKG_FILE") nor in the slim-base allowlist"
  fi
done

[ "$nbin" -gt 0 ] || { echo "check_runtime_libs: no ELF executable in $BIN_DIR" >&2; exit 2; }

for pkg in "${listed[@]}"; do
  if [ -z "${used[$pkg]:-}" ]; then
    err "$pkg is listed in $(basename "$PKG_FILE") but provides no library of the binaries"
  fi
  if in_list "$pkg" "${SLIM_BASE_ALLOWLIST[@]}"; then
    err "$pkg is listed although debian:12-slim already has it (allowlist)"
  fi
done

if [ "$fail" -ne 0 ]; then
  echo "check_runtime_libs: FAILED" >&2
  exit 1
fi
echo "check_runtime_libs: $nbin binaries, ${#used[@]} library packages (${#direct[@]} linked directly), all covered by $(basename "$PKG_FILE") (${#listed[@]}) or the slim-base allowlist"
