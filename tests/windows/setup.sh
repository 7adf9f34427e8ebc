#!/usr/bin/env bash
# Prepares the Wine test bed for tests/windows/run.sh: Wine and mingw-w64 from
# apt, Bun's Windows build from npm, the ProcessPrng shim and the event driver
# built from this folder. Idempotent; everything built goes to build/windows/.
#
#   sudo bash tests/windows/setup.sh   once per machine (npm run setup:windows):
#                                      installs the Debian packages, then the rest
#   bash tests/windows/setup.sh --system      the Debian packages only (CI, as root)
#   bash tests/windows/setup.sh --no-install  what `npm test` runs: never installs
#                                      system packages; when the machine cannot run
#                                      the test bed it prints one line "skip: <why>"
#                                      and exits with status 3
set -euo pipefail

mode=all
case "${1:-}" in
  "") ;;
  --system) mode=system ;;
  --no-install) mode=no-install ;;
  *) echo "setup: unknown argument '$1' (--system, --no-install or none)" >&2; exit 2 ;;
esac

skip() { echo "skip: $*"; exit 3; }

root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/build/windows"

# Bun's Windows build runs under Wine on x86-64 Linux only.
if [ "$(uname -s)" != Linux ] || [ "$(uname -m)" != x86_64 ]; then
  [ "$mode" = no-install ] && skip "the Wine test bed needs Linux x86-64 (this is $(uname -s) $(uname -m))"
  echo "setup: the Wine test bed needs Linux x86-64 (this is $(uname -s) $(uname -m))" >&2
  exit 1
fi

missing=()
[ -x /usr/lib/wine/wine64 ] || missing+=(wine64)
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
command -v script >/dev/null || missing+=(bsdutils)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$mode" = no-install ]; then
    skip "Wine test bed not installed (missing ${missing[*]}): run 'sudo bash tests/windows/setup.sh' once (Debian/Ubuntu)"
  fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "setup: ${missing[*]} missing; installing them needs root and apt-get (Debian/Ubuntu):" \
      "sudo bash tests/windows/setup.sh" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "$mode" = system ]; then
  echo "setup: system packages present"
  exit 0
fi

bun_version="$(node -p "require('$root/package.json').devDependencies.bun")"
mkdir -p "$out"

# npm refuses to install it here (os/cpu fields), so unpack the tarball.
if [ ! -x "$out/bun/bun.exe" ] || [ "$(cat "$out/bun/version" 2>/dev/null)" != "$bun_version" ]; then
  echo "setup: fetching @oven/bun-windows-x64-baseline@$bun_version"
  rm -rf "$out/bun" "$out"/oven-bun-windows-x64-baseline-*.tgz
  if ! (cd "$out" && npm pack --silent "@oven/bun-windows-x64-baseline@$bun_version" >/dev/null); then
    [ "$mode" = no-install ] && skip "could not fetch @oven/bun-windows-x64-baseline@$bun_version from npm (offline?)"
    exit 1
  fi
  mkdir -p "$out/bun"
  tar -xzf "$out/oven-bun-windows-x64-baseline-$bun_version.tgz" -C "$out/bun" --strip-components=2 package/bin/bun.exe
  chmod +x "$out/bun/bun.exe"
  echo "$bun_version" >"$out/bun/version"
fi

build() { # output source flags...
  local output="$1" source="$2"
  shift 2
  if [ ! -f "$output" ] || [ "$source" -nt "$output" ]; then
    echo "setup: building $(basename "$output")"
    x86_64-w64-mingw32-gcc -O2 -Wall -o "$output" "$source" "$@"
  fi
}
build "$out/bun/bcryptprimitives.dll" "$root/tests/windows/process_prng.c" -shared -ladvapi32
build "$out/ctrl_driver.exe" "$root/tests/windows/ctrl_driver.c"

export WINEPREFIX="$out/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "setup: creating the Wine prefix (once)"
  /usr/lib/wine/wine64 wineboot --init >/dev/null 2>&1
  /usr/lib/wine/wineserver -w
fi

version="$(/usr/lib/wine/wine64 "$out/bun/bun.exe" --version 2>/dev/null | tr -d '\r')"
[ "$version" = "$bun_version" ] || { echo "setup: bun.exe under Wine printed '$version'"; exit 1; }
echo "setup: ready (Wine $(/usr/lib/wine/wine64 --version), bun.exe $version)"
