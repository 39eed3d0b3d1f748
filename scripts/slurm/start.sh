#!/usr/bin/env bash
# Starts a one-node Slurm cluster on localhost: munged, slurmctld and slurmd, all as root, no
# systemd, no cgroups. Writes its configuration, pid files, logs and spool under
# $HARNESS_SLURM_DIR (default /tmp/harness-slurm) and nothing global besides munge's runtime
# folder /run/munge and, where the machine has none, munge's key /etc/munge/munge.key.
# Idempotent: daemons already running from this folder are kept.
#
# Environment:
#   HARNESS_SLURM_DIR             state folder (default /tmp/harness-slurm)
#   HARNESS_SLURM_PORT            slurmctld port; slurmd uses the next one (default 6817)
#   HARNESS_SLURM_MAX_ARRAY_SIZE  MaxArraySize of the cluster (default 1001, Slurm's default)
#   HARNESS_SLURM_START_TIMEOUT   seconds to wait for the node to become idle (default 30)
#
# Afterwards: `source $HARNESS_SLURM_DIR/env` points sbatch, squeue and sinfo at this cluster.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/common.sh"

max_array_size="${HARNESS_SLURM_MAX_ARRAY_SIZE:-1001}"
timeout_s="${HARNESS_SLURM_START_TIMEOUT:-30}"

fail() { echo "slurm start: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root to run slurmd and munged (running as uid $(id -u))"
for bin in /usr/sbin/munged /usr/sbin/slurmctld /usr/sbin/slurmd /usr/bin/sinfo; do
  [ -x "$bin" ] || fail "$bin is missing; run $here/install.sh first"
done

mkdir -p "$HARNESS_SLURM_DIR"/{log,state,spool}
cat >"$SLURM_CONF" <<CONF
# Written by scripts/slurm/start.sh: a one-node test cluster on localhost.
ClusterName=harness
SlurmctldHost=localhost
SlurmctldPort=$HARNESS_SLURM_PORT
SlurmdPort=$((HARNESS_SLURM_PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SchedulerParameters=sched_min_interval=0,batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillWait=10
MaxArraySize=$max_array_size
StateSaveLocation=$HARNESS_SLURM_DIR/state
SlurmdSpoolDir=$HARNESS_SLURM_DIR/spool
SlurmctldPidFile=$HARNESS_SLURM_DIR/slurmctld.pid
SlurmdPidFile=$HARNESS_SLURM_DIR/slurmd.pid
SlurmctldLogFile=$HARNESS_SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$HARNESS_SLURM_DIR/log/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
echo "export SLURM_CONF=$SLURM_CONF" >"$HARNESS_SLURM_DIR/env"

# munge: reuse one that already answers (e.g. the system's), else start our own.
if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  echo "munged: already answering on /run/munge"
else
  install -d -o munge -g munge -m 0755 /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile=/etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key
    chmod 0600 /etc/munge/munge.key
  fi
  runuser -u munge -- /usr/sbin/munged --force --pid-file=/run/munge/munged.pid
  cp /run/munge/munged.pid "$HARNESS_SLURM_DIR/munged.pid"
  munge -n </dev/null | unmunge >/dev/null || fail "munged started but does not answer; see /var/log/munge/munged.log"
fi

if [ -z "$(live_pid "$HARNESS_SLURM_DIR/slurmctld.pid" slurmctld)" ]; then
  /usr/sbin/slurmctld -f "$SLURM_CONF" \
    || fail "slurmctld did not start; see $HARNESS_SLURM_DIR/log/slurmctld.log"
fi
if [ -z "$(live_pid "$HARNESS_SLURM_DIR/slurmd.pid" slurmd)" ]; then
  /usr/sbin/slurmd -f "$SLURM_CONF" -N localhost \
    || fail "slurmd did not start; see $HARNESS_SLURM_DIR/log/slurmd.log"
fi

deadline=$((SECONDS + timeout_s))
state=""
until [ "$state" = "idle" ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    fail "node localhost is '${state:-unreachable}', not idle, after ${timeout_s}s; see $HARNESS_SLURM_DIR/log/ and \`SLURM_CONF=$SLURM_CONF sinfo -R\`"
  fi
  sleep 0.2
  state="$(sinfo -h -N -n localhost -o %t 2>/dev/null || true)"
done

echo "slurm: node localhost idle; state in $HARNESS_SLURM_DIR"
for daemon in munged slurmctld slurmd; do
  pid="$(live_pid "$HARNESS_SLURM_DIR/$daemon.pid" "$daemon")"
  echo "$daemon pid ${pid:-(not ours)}"
done
echo "use it with: source $HARNESS_SLURM_DIR/env"
