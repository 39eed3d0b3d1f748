#!/usr/bin/env bash
# Stops the cluster that start.sh started: cancels the jobs still in its queue (so no job step
# outlives slurmd), then stops each daemon by the PID in its pid file under $HARNESS_SLURM_DIR
# (never by name), slurmd first. A munged that start.sh reused is left alone.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/common.sh"

timeout_s="${HARNESS_SLURM_STOP_TIMEOUT:-15}"
status=0

if [ -n "$(live_pid "$HARNESS_SLURM_DIR/slurmctld.pid" slurmctld)" ] && [ -n "$(squeue -h -o %i 2>/dev/null)" ]; then
  scancel --full --user="$(id -un)" 2>/dev/null
  deadline=$((SECONDS + timeout_s + 10))
  while [ -n "$(squeue -h -o %i 2>/dev/null)" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  [ -z "$(squeue -h -o %i 2>/dev/null)" ] || { echo "slurm stop: jobs still in the queue after scancel" >&2; status=1; }
fi
for daemon in slurmd slurmctld munged; do
  file="$HARNESS_SLURM_DIR/$daemon.pid"
  pid="$(live_pid "$file" "$daemon")"
  if [ -z "$pid" ]; then
    rm -f "$file"
    continue
  fi
  kill -TERM "$pid"
  deadline=$((SECONDS + timeout_s))
  while [ -d "/proc/$pid" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
  if [ -d "/proc/$pid" ]; then
    echo "slurm stop: $daemon (pid $pid) ignored SIGTERM for ${timeout_s}s; sending SIGKILL" >&2
    kill -KILL "$pid"
    status=1
  fi
  rm -f "$file"
  echo "$daemon stopped (pid $pid)"
done
exit "$status"
