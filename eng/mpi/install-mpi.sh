#!/usr/bin/env bash
# Installs what the distributed package needs when it is missing: MPICH (mpiexec.mpich, libmpich.so.12) and METIS
# (libmetis.so.5), from Debian. Run by the build of tests/KernelDsl.Distributed.Tests (so `dotnet test` has them) and
# by README's setup. Needs root (CI runs as root); otherwise it says what to run.
set -u
have_mpich() { command -v mpiexec.mpich >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q 'libmpich.so.12'; }
have_metis() { ldconfig -p 2>/dev/null | grep -q 'libmetis.so.5'; }
if have_mpich && have_metis; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "MPICH or METIS is missing; run: sudo apt-get install -y mpich libmetis5" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q mpich libmetis5 >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q mpich libmetis5 >/dev/null 2>&1; }
if have_mpich && have_metis; then echo "installed mpich and libmetis5"; exit 0; fi
echo "could not install mpich and libmetis5 with apt-get" >&2
exit 1
