# Shared settings of the single-host test cluster; sourced by start.sh and stop.sh.
# Everything Slurm writes lives under one state folder; clients find the cluster through
# SLURM_CONF (source "$HARNESS_SLURM_DIR/env").
HARNESS_SLURM_DIR="${HARNESS_SLURM_DIR:-/tmp/harness-slurm}"
HARNESS_SLURM_PORT="${HARNESS_SLURM_PORT:-6817}"
SLURM_CONF="$HARNESS_SLURM_DIR/slurm.conf"
export SLURM_CONF

# Prints the PID in pid file $1 when that process is alive and runs program $2; else nothing.
live_pid() {
  local file="$1" program="$2" pid
  [ -s "$file" ] || return 0
  pid="$(tr -d '[:space:]' <"$file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "$program" ]; then
    echo "$pid"
  fi
}
