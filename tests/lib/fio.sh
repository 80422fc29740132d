# fio with verification on the lab's guests, one way for every test that runs I/O through a
# change (sourced; needs $lab, the lab's command). fio's own JSON report says how the I/O went;
# fio_stop never waits for ever: a fio that does not end after SIGINT has I/O stuck in the kernel,
# and that is a failure with the guest's state written beside the report.

# /dev/mapper/<WWID> of HOST's first multipath map (sorted by WWID).
fio_first_map() {
  local wwid
  wwid=$($lab ssh "$1" -- multipathd show maps raw format %w </dev/null | sort | head -n 1)
  [ -n "$wwid" ] || { echo "$1: no multipath map" >&2; return 1; }
  echo "/dev/mapper/$wwid"
}

# fio_start HOST DEVICE OUT: writes and verifies through DEVICE until fio_stop (at most 30 min);
# its JSON report in OUT, its stderr in OUT.err; the local ssh's pid in fio_pid.
fio_start() {
  local host=$1 dev=$2 out=$3
  # A device that is not there would make fio write a file in /dev: refuse instead.
  $lab ssh "$host" -- test -b "$dev" </dev/null || { echo "$host: no block device $dev" >&2; return 1; }
  # Capped at 40 I/Os a second: steady I/O to catch any error or stall, while leaving the
  # emulated guest's CPU to the Ansible modules that run meanwhile (uncapped, fio took it all and
  # one module call took half a minute).
  $lab ssh "$host" -- fio --name=verify --filename="$dev" --direct=1 --ioengine=libaio --iodepth=8 --rate_iops=40 \
    --bs=64k --rw=randwrite --size=256M --verify=crc32c --verify_backlog=64 --verify_fatal=1 --time_based \
    --runtime=1800 --output-format=json </dev/null >"$out" 2>"$out.err" &
  fio_pid=$!
}

# fio_stop HOST OUT [SECONDS]: SIGINT to HOST's fio, then wait at most SECONDS (default 90) for
# the fio started by fio_start (pid fio_pid). Still running then, its I/O is stuck: what the guest
# says about it goes to OUT.stuck, fio and its ssh are killed, and fio_stop fails.
fio_stop() {
  local host=$1 out=$2 seconds=${3:-90} start=$SECONDS pid=$fio_pid
  fio_pid=
  timeout 60 $lab ssh "$host" -- pkill -INT -x fio </dev/null
  while kill -0 "$pid" 2>/dev/null && ((SECONDS - start < seconds)); do sleep 1; done
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null  # ended by SIGINT fio exits non-zero: its JSON report says how it went
    return 0
  fi
  echo "$host: fio did not end $seconds s after SIGINT (I/O stuck); the guest's state in $out.stuck" >&2
  fio_stuck_state "$host" >"$out.stuck" 2>&1
  grep -E '^(fio|inflight|sd|dm)' "$out.stuck" | head -20 | sed 's/^/    /' >&2
  timeout 60 $lab ssh "$host" -- pkill -KILL -x fio </dev/null
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  return 1
}

# Where HOST's I/O is: fio's threads and their kernel stacks, the block devices' in-flight
# counts and states, the maps, multipathd's paths, the sessions and the kernel's last words.
fio_stuck_state() {
  timeout 120 $lab ssh "$1" -- 'for p in $(pgrep -x fio); do for t in /proc/$p/task/*; do
      echo "fio $p task ${t##*/}: $(cat $t/stat | cut -d" " -f3) $(cat $t/wchan)"; sed "s/^/    /" $t/stack; done; done
    for d in /sys/block/sd* /sys/block/dm-*; do
      echo "inflight ${d##*/} $(cat $d/inflight | tr -s " ") state $(cat $d/device/state 2>/dev/null || cat $d/dm/name)"; done
    echo "--- dmsetup status"; dmsetup status
    echo "--- multipathd show paths"; multipathd show paths format "%d %w %t %T %o %s"
    echo "--- iscsiadm -m session -P 1"; iscsiadm -m session -P 1
    echo "--- dmesg"; dmesg | tail -60' </dev/null
}
