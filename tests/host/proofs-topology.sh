# Proofs of what real data centers do to the host side (sourced by tests/host/proof, which defines
# lab, inv, logs, play, state_json, host_state, forget_all, wait_paths, fio_start, fio_stop, fio_report): a target leaving
# while its storage is in use and while it is idle, two runs on one host at once, and a host leaving for good.

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
# The run's output in LOG refuses to release TARGET naming its map WWID and fio as the holder.
refused_by_fio() {
  if grep -q "refused to release $2: map $3 ($3) is held: open by fio (pid [0-9]*)" "$1"; then
    echo "refused, naming the map and fio: $(grep -o "refused to release [^;\"]*" "$1" | head -1)"
  else
    echo "no refusal naming map $3 and fio in the run's output ($1)"; return 1
  fi
}
# left_of_target's five counts, all 0 (nothing left) / none 0 (everything there).
all_gone() { [ "$(grep -c '^[a-z_]* [0-9][0-9]*$' <<<"$1")" = 5 ] && ! grep -qv ' 0$' <<<"$1"; }
all_there() { [ "$(grep -c '^[a-z_]* [0-9][0-9]*$' <<<"$1")" = 5 ] && ! grep -q ' 0$' <<<"$1"; }

# storage2 leaves the plan (as when its storage domain leaves the data center): first while fio
# holds its map open on host1 (refused, nothing of it changes, fio goes on), then idle (released on
# every host: no map, path, SCSI disk, session or node record of it left).
target_leaving() {  # proof
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
  refused_by_fio "$logs/leave-refused.log" "$s2" "$w2" || rc=1
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
two_runs() {  # proof
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
non_operational() {  # proof
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

# What leave_for_good compares on HOST (NIC names follow), one section each: ifaces, node
# records and sessions (target portal iface), the checksums of every file the role writes or may
# write, the ARP and reverse-path sysctls of those NICs, and whether the record exists. Read by
# iscsiadm, sha256sum and /proc, not by the code under test; a read that fails fails the call.
leave_snapshot() {
  local host=$1; shift
  $lab ssh "$host" -- "bash -s $*" <<'SH'
read_iscsiadm() { local out rc; out=$(iscsiadm "$@" 2>&1); rc=$?
  case $rc in 0) printf '%s\n' "$out" ;; 21) ;; *) echo "iscsiadm $* failed (rc $rc): $out" >&2; return 1 ;; esac; }
ifaces=$(read_iscsiadm -m iface) && nodes=$(read_iscsiadm -m node -P 1) && sessions=$(read_iscsiadm -m session -P 1) || exit 1
echo "--- ifaces"; sort <<<"$ifaces"
echo "--- nodes"; awk '/Target:/{t=$2} /Portal:/{p=$2} /Iface Name:/{print t, p, $3}' <<<"$nodes" | sed 's/,[0-9-]* / /' | sort
echo "--- sessions"; awk '/Target:/{t=$2} /Current Portal:/{p=$3} /Iface Name:/{print t, p, $3}' <<<"$sessions" | sed 's/,[0-9]* / /' | sort
echo "--- files"
for f in /etc/iscsi/iscsid.conf /etc/multipath.conf /etc/multipath/conf.d/* /etc/sysctl.d/*; do
  if [ -f "$f" ]; then sha256sum "$f" || exit 1; fi
done
echo "--- sysctls"
for nic in all default "$@"; do for key in arp_ignore arp_announce rp_filter; do
  echo "$nic.$key $(cat /proc/sys/net/ipv4/conf/$nic/$key)" || exit 1; done; done
echo "--- record"
if [ -e /var/lib/ovirt_iscsi_multipath.iscsi_paths.json ]; then echo present; else echo absent; fi
SH
}
# The lines of section NAME of a leave_snapshot.
snapshot_section() { sed -n "/^--- $1\$/,/^--- /p" <<<"$2" | grep -v '^--- '; }

# A host leaving for good (issue 18 item 5): host1 as a host the role never touched (nothing of
# the role's: no session, node record, iface, iscsid.conf block, sysctl.d file or record; an
# /etc/multipath.conf of the host's own), with a session VDSM made through its own iface ens6, and
# two storage NICs sharing a subnet (a second address on the iscsi-b NIC) with strict sysctls, so
# that the role sets its shared-subnet sysctls. Captured, converged by the role, then removed by
# playbooks/disconnect_host.yml: first while fio holds storage2's map open (refused: the run fails
# naming the map and fio, storage2 stays whole, fio sees no error), then idle. Afterwards host1
# equals the capture (ifaces, node records, sessions, file checksums, sysctls, no record), VDSM's
# session included, and a second removal changes nothing. Positive control: the converge changed
# every one of the compared parts, so the comparison can see each of them come back.
leave_for_good() {  # proof
  local rc=0 s1 s2 w2 nic_a nic_b nic_c portal_c extra orig before converged after part left n_role luns1
  s1=$(state_json "['target']['targets'][0]['iqn']")
  s2=$(state_json "['target']['targets'][1]['iqn']")
  w2=$(state_json "['target']['targets'][1]['luns'][0]['wwid']")
  nic_a=$(state_json "['hosts']['host1']['networks']['iscsi-a']['nic']")
  nic_b=$(state_json "['hosts']['host1']['networks']['iscsi-b']['nic']")
  nic_c=$(state_json "['hosts']['host1']['networks']['iscsi-c']['nic']")
  portal_c=$(state_json "['networks']['iscsi-c']['target_address']")
  # A free address of iscsi-a's subnet for the iscsi-b NIC: .21 (the guests have .11 to .13).
  extra=$(state_json "['networks']['iscsi-a']['target_address']" | sed 's/\.[0-9]*$/.21/')/$(state_json "['hosts']['host1']['networks']['iscsi-a']['prefix']")
  echo "host1 as the role never saw it, with VDSM's session to $s1 at $portal_c through $nic_c"
  forget_all host1 || { echo "host1 could not be emptied"; return 1; }
  orig=$($lab ssh host1 -- "bash -s $nic_a $nic_b" <<'SH'
for nic in "$@"; do for key in arp_ignore arp_announce rp_filter; do echo "$nic $key $(cat /proc/sys/net/ipv4/conf/$nic/$key)"; done; done
SH
) || return 1
  luns1=$(state_json "['target']['targets'][0]['luns'].__len__()")
  $lab ssh host1 -- "bash -s $nic_a $nic_b $nic_c $portal_c $s1 $extra $luns1" <<'SH' || { echo "host1 could not be made as the role never saw it"; leave_for_good_cleanup; return 1; }
set -e
nic_a=$1 nic_b=$2 nic_c=$3 portal=$4 iqn=$5 extra=$6 luns=$7
# What the role writes, as a fresh guest has it: no block, no drop-in, no sysctl.d file of its
# own; multipath.conf is the host's own (the role must put it back as it was).
sed -i '/^# BEGIN ovirt_iscsi.multipath.iscsi_paths: fast failover$/,/^# END ovirt_iscsi.multipath.iscsi_paths: fast failover$/d' /etc/iscsi/iscsid.conf
rm -f /etc/multipath/conf.d/ovirt_iscsi_multipath.conf /etc/sysctl.d/90-ovirt-iscsi-multipath-shared-subnet.conf /etc/vdsm/vdsm.conf
printf '%s\n' "# This host's own multipath configuration (written by its administrator)." "defaults {" "    user_friendly_names no" \
  "    find_multipaths no" "}" "blacklist {" "    devnode \"^vd[a-z]\"" "}" > /etc/multipath.conf
systemctl restart iscsid
systemctl reload multipathd
# Two storage NICs in one subnet, with strict reverse-path filtering and the kernel's ARP defaults.
ip addr replace "$extra" dev "$nic_b"
for nic in "$nic_a" "$nic_b"; do
  echo 0 > /proc/sys/net/ipv4/conf/$nic/arp_ignore; echo 0 > /proc/sys/net/ipv4/conf/$nic/arp_announce
  echo 1 > /proc/sys/net/ipv4/conf/$nic/rp_filter
done
# VDSM's session: its iface named after the NIC, its node record with the portal group tag.
iscsiadm -m iface -I "$nic_c" -o new >/dev/null
iscsiadm -m iface -I "$nic_c" -o update -n iface.net_ifacename -v "$nic_c" >/dev/null
iscsiadm -m node -T "$iqn" -p "$portal:3260,1" -I "$nic_c" -o new >/dev/null
iscsiadm -m node -T "$iqn" -p "$portal:3260,1" -I "$nic_c" -l >/dev/null
iscsiadm -m session -P 1 | grep -q "Iface Name: $nic_c\$"
# Its paths in their maps, active, before anything is captured (a LUN's only other path later).
for i in $(seq 60); do
  [ "$(multipathd show paths raw format '%t|%T' 2>/dev/null | grep -c '^active|ready$')" = "$luns" ] && exit 0
  sleep 1
done
echo "VDSM's session: not its $luns paths active after 60 s"; exit 1
SH
  before=$(leave_snapshot host1 "$nic_a" "$nic_b" "$nic_c") || { leave_for_good_cleanup; return 1; }
  grep -q "^$s1 $portal_c:3260 $nic_c\$" <<<"$(snapshot_section sessions "$before")" \
    || { echo "VDSM's session through $nic_c is not in the capture"; leave_for_good_cleanup; return 1; }
  echo "captured: $(snapshot_section ifaces "$before" | wc -l) ifaces, $(snapshot_section nodes "$before" | wc -l) node records," \
    "$(snapshot_section sessions "$before" | wc -l) sessions, $(snapshot_section files "$before" | wc -l) files, record $(snapshot_section record "$before")"

  play leave-for-good-converge.log "$scenario/converge.yml" --limit host1 || { leave_for_good_cleanup; return 1; }
  converged=$(leave_snapshot host1 "$nic_a" "$nic_b" "$nic_c") || { leave_for_good_cleanup; return 1; }
  # Positive control: each compared part changed, or its comparison below could not fail.
  for part in ifaces nodes sessions files sysctls record; do
    if [ "$(snapshot_section $part "$before")" = "$(snapshot_section $part "$converged")" ]; then
      echo "control: the converge left the $part as captured: their comparison proves nothing"; rc=1
    fi
  done
  ((rc)) || echo "control: the converge changed ifaces, node records, sessions, files, sysctls and the record"
  # Every path active (kernel and multipathd), VDSM's among them: no LUN hangs on one session below.
  wait_paths host1 "" 90 || rc=1
  n_role=$(( $(snapshot_section sessions "$converged" | wc -l) - $(snapshot_section sessions "$before" | wc -l) ))
  # From here on host1 counts as a VDSM host: the removal must still leave VDSM's session (only the record decides).
  $lab ssh host1 -- 'mkdir -p /etc/vdsm && touch /etc/vdsm/vdsm.conf' || rc=1

  echo "check mode: predicts, writes nothing"
  play leave-for-good-check.log playbooks/disconnect_host.yml --check -e disconnect_host_hosts=host1 || rc=1
  after=$(leave_snapshot host1 "$nic_a" "$nic_b" "$nic_c") || rc=1
  if [ "$after" = "$converged" ]; then echo "check mode changed nothing on host1"
  else echo "check mode changed host1:"; diff <(echo "$converged") <(echo "$after"); rc=1; fi
  grep -q "would remove: $n_role session(s)" "$logs/leave-for-good-check.log" \
    && echo "check mode would remove the role's $n_role sessions" || { echo "check mode does not predict the role's $n_role sessions"; rc=1; }

  echo "host1 leaves while fio verifies I/O on storage2's map $w2: refused"
  fio_start host1 "/dev/mapper/$w2" "$logs/fio-leave-for-good.json" || { leave_for_good_cleanup; return 1; }
  sleep 10
  if play leave-for-good-refused.log playbooks/disconnect_host.yml -e disconnect_host_hosts=host1; then
    echo "the removal went on while storage2's map was open"; rc=1
  fi
  sleep 5
  fio_stop host1 "$logs/fio-leave-for-good.json" || rc=1
  fio_report "host1 (leaving refused while storage2 in use)" "$logs/fio-leave-for-good.json" || rc=1
  refused_by_fio "$logs/leave-for-good-refused.log" "$s2" "$w2" || rc=1
  left=$(left_of_target host1 "$s2" "$w2") || { echo "reading what host1 has of storage2 failed"; rc=1; }
  if all_there "$left"; then echo "storage2 whole after the refusal: $(tr '\n' ' ' <<<"$left")"
  else echo "storage2 not whole after the refusal: $(tr '\n' ' ' <<<"$left")"; rc=1; fi
  after=$(leave_snapshot host1 "$nic_a" "$nic_b" "$nic_c") || rc=1
  if [ "$(snapshot_section sessions "$after" | grep "^$s1 ")" = "$s1 $portal_c:3260 $nic_c" ]; then
    echo "storage1: the role's sessions left, VDSM's stayed"
  else echo "storage1's sessions after the refused run:"; snapshot_section sessions "$after" | grep "^$s1 "; rc=1; fi
  [ "$(snapshot_section record "$after")" = present ] || { echo "the record is gone although storage2 stayed"; rc=1; }

  echo "host1 leaves, idle"
  play leave-for-good-removed.log playbooks/disconnect_host.yml -e disconnect_host_hosts=host1 || rc=1
  grep -o "removed: [0-9]* session(s)[^\"]*" "$logs/leave-for-good-removed.log" | head -1
  after=$(leave_snapshot host1 "$nic_a" "$nic_b" "$nic_c") || rc=1
  if [ -n "$after" ] && [ "$after" = "$before" ]; then
    echo "host1 equals the capture: ifaces, node records, sessions (VDSM's too), files, sysctls, no record"
  else echo "host1 differs from the capture:"; diff <(echo "$before") <(echo "$after"); rc=1; fi
  play leave-for-good-again.log playbooks/disconnect_host.yml -e disconnect_host_hosts=host1 || rc=1
  grep -Eq "^host1 +: ok=[0-9]+ +changed=0 " "$logs/leave-for-good-again.log" && echo "a second removal changed nothing" \
    || { echo "a second removal changed something"; rc=1; }

  leave_for_good_cleanup || rc=1
  return $rc
}

# Undo what leave_for_good made by hand (VDSM's session, the second address, the strict sysctls,
# the VDSM marker), then converge host1 again for whatever runs next.
leave_for_good_cleanup() {
  $lab ssh host1 -- "bash -s $nic_c $portal_c $s1 $extra $nic_b" <<'SH' || { echo "host1 could not be cleaned up"; return 1; }
nic_c=$1 portal=$2 iqn=$3 extra=$4 nic_b=$5
rm -f /etc/vdsm/vdsm.conf; rmdir /etc/vdsm 2>/dev/null
iscsiadm -m node -T "$iqn" -p "$portal:3260,1" -I "$nic_c" -u >/dev/null 2>&1
iscsiadm -m node -T "$iqn" -p "$portal:3260,1" -I "$nic_c" -o delete >/dev/null 2>&1
iscsiadm -m iface -I "$nic_c" -o delete >/dev/null 2>&1
ip addr del "$extra" dev "$nic_b" 2>/dev/null
true
SH
  $lab ssh host1 -- "bash -s" <<<"$(while read -r nic key value; do echo "echo $value > /proc/sys/net/ipv4/conf/$nic/$key"; done <<<"$orig")" \
    || { echo "host1's sysctls could not be restored"; return 1; }
  play leave-for-good-restore.log "$scenario/converge.yml" --limit host1
}
