#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine for the Slurm tests (docs/cluster.md, "Testing
# against a real scheduler"): munged, slurmctld and slurmd as root, no systemd, no cgroups, no
# accounting database, every state and spool folder under $RESBUILDER_SLURM_DIR.
#
#   scripts/slurm-test-cluster.sh start   # installs slurm-wlm and munge when missing, starts, waits for idle
#   scripts/slurm-test-cluster.sh stop    # stops what `start` started, by its pid files
#   scripts/slurm-test-cluster.sh env     # prints `export SLURM_CONF=…` for a shell
#
# Both commands are idempotent: `start` on a running cluster only checks that the node is idle.
set -euo pipefail

DIR="${RESBUILDER_SLURM_DIR:-/tmp/resbuilder-slurm}"
CONF="$DIR/slurm.conf"
export SLURM_CONF="$CONF"

die() { echo "slurm-test-cluster: $*" >&2; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_packages() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null && return 0
  [ "$(id -u)" -eq 0 ] || die "slurm-wlm and munge are not installed; run as root or: sudo apt-get install slurm-wlm munge"
  export DEBIAN_FRONTEND=noninteractive
  # Another apt on the machine holds the lock for a while: wait for it instead of failing.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
}

start_munge() {
  if alive "$DIR/munged.pid"; then return 0; fi
  mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
  if [ ! -s /etc/munge/munge.key ]; then
    if command -v mungekey >/dev/null; then mungekey -c -f -k /etc/munge/munge.key; else dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none; fi
  fi
  chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
  chmod 0700 /etc/munge; chmod 0400 /etc/munge/munge.key; chmod 0755 /run/munge
  # A munged started by someone else answers on the same socket: use it rather than fight it.
  if munge -n </dev/null >/dev/null 2>&1; then return 0; fi
  rm -f /run/munge/munged.pid
  su -s /bin/sh munge -c 'munged --force' || runuser -u munge -- munged --force
  for _ in $(seq 50); do munge -n </dev/null >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n </dev/null >/dev/null 2>&1 || die "munged did not start (see /var/log/munge/munged.log)"
  cp /run/munge/munged.pid "$DIR/munged.pid"
}

write_conf() {
  local host node
  host="$(hostname -s)"
  # The node line must match the hardware exactly; slurmd says what it sees.
  node="$(slurmd -C | grep '^NodeName=')" || die "slurmd -C printed no node line"
  # NodeAddr and the controller's address: a CI machine's host name need not resolve.
  node="$(echo "$node" | sed -E "s/^NodeName=[^ ]+/NodeName=$host NodeAddr=127.0.0.1/")"
  mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"
  cat >"$CONF" <<EOF
# Written by scripts/slurm-test-cluster.sh: a one-node test cluster.
ClusterName=resbuilder-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldPort=${RESBUILDER_SLURMCTLD_PORT:-6817}
SlurmdPort=${RESBUILDER_SLURMD_PORT:-6818}
# Finished jobs stay visible to squeue/scontrol for this long (there is no accounting).
MinJobAge=600
KillWait=30
$node State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
}

wait_idle() {
  local state=""
  for _ in $(seq 150); do
    state="$(sinfo -h -o %T 2>/dev/null | head -n 1 || true)"
    case "$state" in idle|mixed|allocated) return 0 ;; esac
    sleep 0.2
  done
  die "the node did not become idle (state: '${state:-none}'); see $DIR/log/slurmctld.log and slurmd.log"
}

start() {
  install_packages
  mkdir -p "$DIR"
  start_munge
  if alive "$DIR/slurmctld.pid" && alive "$DIR/slurmd.pid"; then wait_idle; return 0; fi
  write_conf
  alive "$DIR/slurmctld.pid" || slurmctld -c -f "$CONF" || die "slurmctld did not start; see $DIR/log/slurmctld.log"
  for _ in $(seq 50); do scontrol ping >/dev/null 2>&1 && break; sleep 0.1; done
  alive "$DIR/slurmd.pid" || slurmd -f "$CONF" || die "slurmd did not start; see $DIR/log/slurmd.log"
  wait_idle
  echo "slurm-test-cluster: up ($CONF)"
}

stop_one() {
  local pidfile="$1" pid
  alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

stop() {
  # Jobs still running would be orphaned by slurmd's exit: cancel them first.
  if alive "$DIR/slurmctld.pid"; then
    scancel --quiet --user="$(id -un)" 2>/dev/null || true
    # Give the tasks' trainers their SIGTERM checkpoint before slurmd goes.
    for _ in $(seq 150); do [ -z "$(squeue -h -t running,completing -o %i 2>/dev/null)" ] && break; sleep 0.2; done
  fi
  stop_one "$DIR/slurmd.pid"
  stop_one "$DIR/slurmctld.pid"
  # Only a munged this script started has its pid file here.
  stop_one "$DIR/munged.pid"
  echo "slurm-test-cluster: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF='$CONF'" ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
