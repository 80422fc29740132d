# Proofs of what real data centers do to the host side (sourced by tests/host/proof, which defines
# lab, inv, logs, play, state_json, host_state, forget_all, fio_start, fio_stop, fio_report): a target leaving while its
# storage is in use and while it is idle, and two runs on one host at once.

# What HOST still has of a target (IQN, its first LUN's WWID): five lines "KIND COUNT" (sessions,
# node_records, maps, paths, scsi_disks). A read that fails fails the call: it must never read as 0.
# The script goes on stdin: `lab ssh` joins its arguments into one command line.
left_of_target() {
  $lab ssh "$1" -- "bash -s $2 $3" <<'SH'
iqn=$1 wwid=$2
# iscsiadm's 21 is "no records": an honest zero; anything else is a failed read.
read_iscsiadm() { local out rc; out=$(iscsiadm "$@" 2>&1); rc=$?
  case $rc in 0) printf '%s\n' "$out" ;; 21) ;; *) echo "iscsiadm $* failed (rc $rc): $out" >&2; return 1 ;; esac; }
sessions=$(read_iscsiadm -m session) && nodes=$(read_iscsiadm -m node) &&
  maps=$(multipathd show maps raw format %w) && paths=$(multipathd show paths raw format %w) || exit 1
disks=$(ls /dev/disk/by-path 2>/dev/null)
echo "sessions $(grep -c " $iqn " <<<"$sessions")"
echo "node_records $(grep -c " $iqn\$" <<<"$nodes")"
echo "maps $(grep -c "^$wwid\$" <<<"$maps")"
echo "paths $(grep -c "^$wwid\$" <<<"$paths")"
echo "scsi_disks $(grep -c -- "-iscsi-$iqn-lun-" <<<"$disks")"
SH
}
# left_of_target's five counts, all 0 (nothing left) / none 0 (everything there).
all_gone() { [ "$(grep -c '^[a-z_]* [0-9][0-9]*$' <<<"$1")" = 5 ] && ! grep -qv ' 0$' <<<"$1"; }
all_there() { [ "$(grep -c '^[a-z_]* [0-9][0-9]*$' <<<"$1")" = 5 ] && ! grep -q ' 0$' <<<"$1"; }

# storage2 leaves the plan (as when its storage domain leaves the data center): first while fio
# holds its map open on host1 (refused, nothing of it changes, fio goes on), then idle (released on
# every host: no map, path, SCSI disk, session or node record of it left).
target_leaving() {
  local rc=0 s2 w2 before after host left
  s2=$(state_json "['target']['targets'][1]['iqn']")
  w2=$(state_json "['target']['targets'][1]['luns'][0]['wwid']")
  # From nothing, so that the role makes (and owns) every session: sessions that an earlier proof
  # made by hand through the same ifaces are the role's to use but not to log out (ownership role).
  forget_all host1 && forget_all host2 || { echo "the hosts could not be emptied"; return 1; }
  play leave-setup.log "$scenario/converge.yml" || return 1
  before=$(host_state host1) || return 1
  fio_start host1 "/dev/mapper/$w2" "$logs/fio-leave-host1.json" || return 1
  sleep 10
  echo "host1: storage2 leaves the plan while fio verifies I/O on its map $w2"
  LAB_TARGETS=storage1 play leave-refused.log "$scenario/converge.yml" --limit host1 || rc=1
  sleep 5
  fio_stop host1 "$logs/fio-leave-host1.json" || rc=1
  fio_report "host1 (storage2 refused while in use)" "$logs/fio-leave-host1.json" || rc=1
  if grep -q "refused to release $s2: map $w2 ($w2) is held: open by fio (pid [0-9]*)" "$logs/leave-refused.log"; then
    echo "refused, naming the map and fio: $(grep -o "refused to release [^;\"]*" "$logs/leave-refused.log" | head -1)"
  else
    echo "no refusal naming map $w2 and fio in the run's output"; rc=1
  fi
  after=$(host_state host1) || rc=1
  if [ "$before" = "$after" ]; then echo "host1's ifaces, node records and sessions unchanged ($(grep -c . <<<"$after") lines)"
  else echo "host1 changed while storage2 was in use:"; diff <(echo "$before") <(echo "$after"); rc=1; fi
  $judge show host1 > "$logs/leave-refused-paths.txt" || rc=1
  if grep "$w2" "$logs/leave-refused-paths.txt" | grep -q ' NOT active' || ! grep -q "$w2" "$logs/leave-refused-paths.txt"; then
    echo "storage2's paths are not all active after the refusal:"; grep "$w2" "$logs/leave-refused-paths.txt"; rc=1
  else
    echo "storage2's $(grep -c "$w2" "$logs/leave-refused-paths.txt") paths on host1 active (kernel and multipathd)"
  fi
  # Positive control: storage2 is still on both hosts, so the check that follows must see it.
  for host in host1 host2; do
    left=$(left_of_target "$host" "$s2" "$w2") || { echo "$host: reading what it has of storage2 failed"; rc=1; continue; }
    if all_there "$left" && ! all_gone "$left"; then echo "$host before the release (control): $(tr '\n' ' ' <<<"$left")"
    else echo "$host: the control does not see storage2 whole before its release: $(tr '\n' ' ' <<<"$left")"; rc=1; fi
  done
  echo "storage2 leaves the plan while idle, on every host"
  LAB_TARGETS=storage1 play leave-idle.log "$scenario/converge.yml" || rc=1
  grep -q "released: .*maps_flushed.*$w2" "$logs/leave-idle.log" || { echo "the run does not report storage2 released with its map"; rc=1; }
  for host in host1 host2; do
    left=$(left_of_target "$host" "$s2" "$w2") || { echo "$host: reading what it has of storage2 failed"; rc=1; continue; }
    if all_gone "$left"; then echo "$host: nothing of storage2 left ($(tr '\n' ' ' <<<"$left"))"
    else echo "$host still has of storage2: $(tr '\n' ' ' <<<"$left")"; rc=1; fi
  done
  # Back to both targets for whatever runs next.
  play leave-restore.log "$scenario/converge.yml" || rc=1
  return $rc
}

# Two runs on one host: started at the same moment they take turns (the host ends as one run
# leaves it); a run that waits longer than its lock_timeout fails naming the holder; the lock of
# a run that died is taken over.
two_runs() {
  local rc=0 clean both pa pb ra rb holder
  forget_all host1 || return 1
  play two-clean.log "$scenario/converge.yml" --limit host1 || return 1
  clean=$(host_state host1) || return 1
  forget_all host1 || return 1
  echo "host1: two runs started at the same moment"
  ansible-playbook -i "$inv" "$scenario/converge.yml" --limit host1 > "$logs/two-a.log" 2>&1 & pa=$!
  ansible-playbook -i "$inv" "$scenario/converge.yml" --limit host1 > "$logs/two-b.log" 2>&1 & pb=$!
  wait $pa; ra=$?; wait $pb; rb=$?
  echo "run a: rc $ra, $(grep -o 'waited [0-9]* s for another run' "$logs/two-a.log" | head -1 || true)"
  echo "run b: rc $rb, $(grep -o 'waited [0-9]* s for another run' "$logs/two-b.log" | head -1 || true)"
  [ "$ra" = 0 ] && [ "$rb" = 0 ] || rc=1
  grep -q 'waited [0-9]* s for another run' "$logs/two-a.log" "$logs/two-b.log" || { echo "neither run waited for the other"; rc=1; }
  both=$(host_state host1) || rc=1
  if [ "$clean" = "$both" ]; then echo "host1 after both equals a single run ($(grep -c . <<<"$both") lines)"
  else echo "host1 differs from a single run:"; diff <(echo "$clean") <(echo "$both"); rc=1; fi
  echo "host1: a run holds the lock (a stand-in that writes the note a run writes); another with lock_timeout 5"
  holder=$($lab ssh host1 -- 'setsid python3 -c "
import fcntl, json, os, time
f = open(\"/run/ovirt_iscsi_multipath.lock\", \"a+\"); fcntl.flock(f, fcntl.LOCK_EX)
f.seek(0); f.truncate(); f.write(json.dumps({\"pid\": os.getpid(), \"module\": \"stand-in\", \"started\": time.time()})); f.flush()
time.sleep(600)" </dev/null >/dev/null 2>&1 & echo $!') || return 1
  sleep 2
  if play two-timeout.log "$scenario/converge.yml" --limit host1 -e iscsi_paths_lock_timeout=5; then
    echo "the run went on while another held the lock"; rc=1
  fi
  grep -q "another run is changing this host: pid $holder (stand-in, started [0-9T:-]*Z)" "$logs/two-timeout.log" \
    && echo "failed naming the holder: pid $holder (stand-in)" || { echo "the failure does not name pid $holder"; rc=1; }
  $lab ssh host1 -- kill -KILL "$holder"
  play two-takeover.log "$scenario/converge.yml" --limit host1 -e iscsi_paths_lock_timeout=5 || rc=1
  grep -q "took over the host lock of a run that ended without releasing it: pid $holder (stand-in)" "$logs/two-takeover.log" \
    && echo "the next run took over the dead holder's lock and said so" || { echo "no take-over of pid $holder reported"; rc=1; }
  return $rc
}

# A host made non operational for real: every storage network of host1 cut, so every LUN loses
# every path. The role must say so (the host failed, each LUN without a path, each session
# missing), and the kernel reader judges its state and missing list; a report doctored to
# look healthy, or to hide one missing path, must be refused by the same judge (positive control).
non_operational() {
  local rc=0 dir=$logs/report-non-operational
  rm -rf "$dir" "$logs/report-non-operational-back"
  forget_all host1 || { echo "host1 could not be emptied"; return 1; }
  play non-op-setup.log "$scenario/converge.yml" --limit host1 || return 1
  $lab cut iscsi-a --host host1 >/dev/null && $lab cut iscsi-b --host host1 >/dev/null || { echo "lab cut failed"; rc=1; }
  wait_all_down host1 90 || rc=1
  if role_report "$dir" --limit host1; then echo "the role did not fail host1 with every path gone"; rc=1; fi
  python3 - "$dir/host1.json" <<'PY' || rc=1
import json, sys
report = json.load(open(sys.argv[1]))
print('role: host1 %s, LUNs without a path: %d, missing: %d' % (report.get('state'), len(report.get('luns_without_path') or []), len(report.get('missing') or [])))
sys.exit(0 if report.get('state') == 'non operational' and report.get('luns_without_path') and report.get('missing') else 1)
PY
  judge_reports "$dir" host1 || rc=1
  # Positive controls: the judge must refuse each doctored copy.
  python3 - "$dir/host1.json" "$dir" <<'PY' || rc=1
import json, sys
report = json.load(open(sys.argv[1]))
healthy = dict(report, state='operational', missing=[], luns_without_path=[], operational=True)
one_hidden = dict(report, missing=report['missing'][1:])
for name, doctored in (('healthy', healthy), ('one-hidden', one_hidden)):
    with open('%s/doctored-%s.json' % (sys.argv[2], name), 'w') as handle:
        json.dump(doctored, handle)
PY
  for doctored in healthy one-hidden; do
    if $judge compare host1 "$dir/doctored-$doctored.json" > "$logs/non-op-control-$doctored.txt"; then
      echo "control: the judge accepted a report doctored '$doctored'"; rc=1
    else echo "control: the judge refuses the report doctored '$doctored': $(sed -n 2p "$logs/non-op-control-$doctored.txt" | cut -c1-150)"; fi
  done
  $lab restore iscsi-a --host host1 >/dev/null && $lab restore iscsi-b --host host1 >/dev/null || { echo "lab restore failed"; rc=1; }
  wait_paths host1 "" 120 || rc=1
  role_report "$logs/report-non-operational-back" --limit host1 || rc=1
  judge_reports "$logs/report-non-operational-back" host1 || rc=1
  return $rc
}
