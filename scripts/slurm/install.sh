#!/usr/bin/env bash
# Installs Debian's Slurm (controller, node daemon, client) and munge for a single-host test
# cluster. Idempotent: does nothing when every package is already installed.
set -euo pipefail

packages=(slurm-wlm slurmctld slurmd slurm-client munge)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "slurm: already installed (${packages[*]})"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "slurm: installing ${missing[*]} needs root (running as uid $(id -u)); rerun as root or install them yourself" >&2
  exit 1
fi

# One install at a time (see scripts/system/install.sh): apt's own locks refuse a second apt-get.
if command -v flock >/dev/null 2>&1; then exec 9>/tmp/harness-apt.lock && flock -w 900 9; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "slurm: installed ${missing[*]}"
