# What the end-to-end scripts share (sourced by tests/e2e/run, eda and shared-subnet): the
# run's frame (logs, private work directory, cleanup), how steps and failures are printed, and fio
# through host1's first map. e2e_begin NAME NAMESPACE LOGS sets lab, logs, work and the cleanup.
source "$top/scripts/lib/sim.sh"
source "$top/tests/lib/fio.sh"

e2e_begin() {
  e2e_name=$1
  export OVIRT_ISCSI_LAB_NAMESPACE=${OVIRT_ISCSI_LAB_NAMESPACE:-$2}
  export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
  lab=tests/lab/lab
  logs=$3
  rm -rf "$logs"; mkdir -p "$logs"
  # The run's variables (CHAP secrets among them) live here, readable by root only.
  work=$(mktemp -d "${TMPDIR:-/tmp}/ovirt_iscsi-$e2e_name.XXXXXX")
  chmod 700 "$work"
  fio_pid=
  t0=$SECONDS step_start=$SECONDS
  trap e2e_cleanup EXIT
}

# fio, the simulator and the lab stopped, the work directory removed, whatever way the run ends.
# While developing, E2E_KEEP_LAB=1 leaves the lab up.
e2e_cleanup() {
  [ -n "$fio_pid" ] && kill "$fio_pid" 2>/dev/null
  sim_stop
  if [ "${E2E_KEEP_LAB:-0}" = 1 ]; then
    echo "$e2e_name: lab $OVIRT_ISCSI_LAB_NAMESPACE left up (E2E_KEEP_LAB=1); tests/lab/lab down removes it"
  else
    $lab down </dev/null >"$logs/lab-down.log" 2>&1 || echo "$e2e_name: lab down failed, see $logs/lab-down.log"
  fi
  rm -rf "$work"
}

step() { echo "=== $e2e_name: $*"; step_start=$SECONDS; }
done_step() { echo "    ... ok in $((SECONDS - step_start)) s (total $((SECONDS - t0)) s)"; }
die() { echo "=== $e2e_name: FAILED: $* (after $((SECONDS - t0)) s; logs in $logs)"; exit 1; }

# io_start LOG: fio writes and verifies through host1's first multipath map until io_stop LOG.
io_start() {
  local dev
  dev=$(fio_first_map host1) || die "host1: no multipath map for fio"
  fio_start host1 "$dev" "$logs/$1" || die "fio could not start on host1"
  sleep 5
}
io_stop() {
  sleep 3
  fio_stop host1 "$logs/$1" || die "fio on host1 did not end after SIGINT (I/O stuck; $logs/$1.stuck)"
}
