#!/usr/bin/env bash
# Fetches ptxas (CUDA 11.8, PTX ISA <= 7.8, sm_90) from Debian's non-free nvidia-cuda-toolkit
# package into artifacts/tools/ptxas/, with a private apt list: the system's apt sources are not
# changed and nothing is installed. Used by the PTX tests (KernelDsl.Tests builds call it) and CI.
# Prints the path of ptxas. Licence of the binary: NVIDIA's (non-free), not redistributed here.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
dest="${KERNELDSL_TOOLS:-$repo/artifacts/tools}/ptxas"
ptxas="$dest/ptxas"
if [ -x "$ptxas" ] && "$ptxas" --version >/dev/null 2>&1; then
  echo "$ptxas"
  exit 0
fi
if command -v ptxas >/dev/null 2>&1; then
  command -v ptxas
  exit 0
fi

mkdir -p "$dest"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The Debian mirror and suite the system already uses (deb822 .sources or one-line sources.list).
mirror="" suite=""
if [ -r /etc/apt/sources.list.d/debian.sources ]; then
  mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
  suite="$(awk '/^Suites:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
fi
if [ -z "$mirror" ] && [ -r /etc/apt/sources.list ]; then
  read -r mirror suite < <(awk '/^deb / && $2 ~ /debian\/?$/ {print $2, $3; exit}' /etc/apt/sources.list)
fi
mirror="${mirror:-http://deb.debian.org/debian}"
suite="${suite:-bookworm}"

mkdir -p "$work/lists/partial" "$work/archives/partial"
echo "deb $mirror $suite main contrib non-free" > "$work/nonfree.list"
opts=(-o "Dir::Etc::sourcelist=$work/nonfree.list" -o Dir::Etc::sourceparts=/nonexistent
      -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::pkgcache=$work/pkgcache.bin"
      -o "Dir::Cache::srcpkgcache=$work/srcpkgcache.bin" -o "Dir::Cache::archives=$work/archives"
      -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
apt-get "${opts[@]}" -qq update >&2
(cd "$work" && apt-get "${opts[@]}" -qq download nvidia-cuda-toolkit >&2)
deb="$(ls "$work"/nvidia-cuda-toolkit_*.deb)"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" ./usr/bin/ptxas
install -m 0755 "$work/usr/bin/ptxas" "$ptxas"
"$ptxas" --version >&2
echo "$ptxas"
