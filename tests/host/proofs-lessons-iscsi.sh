# Proofs of what production taught about node records and sessions (issue 22 items 4-7;
# roles/iscsi_paths/README.md "What production taught"): sourced by tests/host/proof beside
# proofs-lessons.sh (lessons_records_* and lessons_warned here; unchanged_rerun in proofs-faults.sh).
# Each judges host1 with iscsiadm itself and leaves it converged as it found it, also after a failure.

# Node records after a discovery by hand, a second record of one portal and a session no storage
# connection backs (issue 22 items 4, 5, 7), on host1 with the bond's portals only (iscsi-c's
# 198.18.3.1 left out of the targets, so a session there is backed by no connection):
# - a sendtargets discovery through ens4 rewrites its records from iscsid.conf (node.startup manual:
#   a reboot would not log them in), and `default`-iface records of the bonded targets are made
#   with startup automatic, as a discovery without -I writes them where iscsid.conf says automatic
#   (RHEL's; Debian's says manual);
# - ens5's record of storage1 gets a second one with portal group tag 2, and its session is logged
#   out: the run's login then meets "session exists" (rc 15) from the other record;
# - a session to storage1 at 198.18.3.1 through an iface of another tool (lessons6 on ens6).
# The run must put the records back as a clean run left them (the tag-2 one too: iscsiadm writes
# every record of a portal at once), delete the default ones, keep the tag-2 record and the other
# tool's session (both reported, with warnings), log ens5 in once;
# the next run changes nothing; and host1 rebooted (open-iscsi's own login at boot, from the
# records) comes back with exactly the plan's sessions.
node_records() {  # proof
  local rc=0
  lessons_records_after_discovery || rc=1
  lessons_records_cleanup
  return $rc
}

lessons_backed_vars=$logs/lessons-backed-portals.json
lessons_records_setup() {
  ansible-inventory -i "$inv" --host host1 | python3 -c '
import json, sys
hostvars = json.load(sys.stdin)
keep = ("198.18.1.1:3260", "198.18.2.1:3260")
print(json.dumps({"lab_targets": [dict(t, portals=[p for p in t["portals"] if p in keep]) for t in hostvars["lab_targets"]]}))' \
    > "$lessons_backed_vars"
}

# HOST's node records as iscsiadm prints them: "iface target portal,tpgt startup=.. <timeouts> auth=..".
lessons_records() {
  $lab ssh "$1" -- "iscsiadm -m node -o show" | python3 -c '
import sys
records, record = [], {}
for line in sys.stdin:
    if line.startswith("# BEGIN RECORD"):
        record = {}
    elif line.startswith("# END RECORD"):
        records.append(record)
    elif " = " in line:
        key, value = line.rstrip("\n").split(" = ", 1)
        record[key] = value
keys = ("node.startup", "node.session.timeo.replacement_timeout", "node.conn[0].timeo.noop_out_interval",
        "node.conn[0].timeo.noop_out_timeout", "node.conn[0].timeo.login_timeout", "node.session.auth.authmethod")
for r in records:
    print(r["iface.iscsi_ifacename"], r["node.name"], "%s:%s,%s" % (r["node.conn[0].address"], r["node.conn[0].port"], r["node.tpgt"]),
          " ".join("%s=%s" % (k.split(".")[-1], r.get(k)) for k in keys))' | sort
}

lessons_records_after_discovery() {
  local rc=0 s1 s2 pa pb pc clean planted after sessions
  s1=$(state_json "['target']['targets'][0]['iqn']"); s2=$(state_json "['target']['targets'][1]['iqn']")
  pa=$(state_json "['networks']['iscsi-a']['target_address']"); pb=$(state_json "['networks']['iscsi-b']['target_address']")
  pc=$(state_json "['networks']['iscsi-c']['target_address']")
  lessons_records_setup || return 1
  play lessons-records-clean.log "$scenario/converge.yml" --limit host1 -e "@$lessons_backed_vars" || return 1
  clean=$(lessons_records host1) || return 1
  $lab ssh host1 -- "iscsiadm -m discovery -t st -p $pa:3260 -I ens4 >/dev/null || exit 1
    for t in $s1 $s2; do for p in $pa $pb; do
      iscsiadm -m node -T \$t -p \$p:3260,1 -I default -o new >/dev/null &&
        iscsiadm -m node -T \$t -p \$p:3260,1 -I default -o update -n node.startup -v automatic || exit 1
    done; done
    iscsiadm -m node -T $s1 -p $pb:3260,2 -I ens5 -o new >/dev/null && iscsiadm -m node -T $s1 -p $pb:3260,1 -I ens5 -u >/dev/null || exit 1
    iscsiadm -m iface -I lessons6 -o new >/dev/null && iscsiadm -m iface -I lessons6 -o update -n iface.net_ifacename -v ens6 >/dev/null &&
    iscsiadm -m node -T $s1 -p $pc:3260,1 -I lessons6 -o new >/dev/null && iscsiadm -m node -T $s1 -p $pc:3260,1 -I lessons6 -l >/dev/null" ||
    { echo "the records could not be planted on host1"; return 1; }
  # The control: the plant is in place, read by iscsiadm.
  planted=$(lessons_records host1) || return 1
  echo "planted: ens4's records $(grep -c '^ens4 .* startup=manual ' <<<"$planted") with startup manual after the discovery," \
    "$(grep -c '^default .* startup=automatic ' <<<"$planted") default-iface records with startup automatic," \
    "$(grep -c "^ens5 $s1 $pb:3260," <<<"$planted") records of $s1 at $pb through ens5"
  [ "$(grep -c '^ens4 .* startup=manual ' <<<"$planted")" = 2 ] && [ "$(grep -c '^default .* startup=automatic ' <<<"$planted")" = 4 ] &&
    [ "$(grep -c "^ens5 $s1 $pb:3260," <<<"$planted")" = 2 ] || { echo "control: the plant is not what the proof needs"; return 1; }

  play lessons-records-run.log "$scenario/converge.yml" --limit host1 -e "@$lessons_backed_vars" || { echo "the run failed"; rc=1; }
  after=$(lessons_records host1) || return 1
  # The tag-2 record and the other tool's are left; everything else is as a clean run left it.
  if [ "$(grep -v -e "^ens5 $s1 $pb:3260,2 " -e '^lessons6 ' <<<"$after")" = "$clean" ]; then
    echo "host1's records equal a clean run's ($(grep -c . <<<"$clean")), beside the tag-2 record and lessons6's"
  else
    echo "host1's records differ from a clean run's:"; diff <(echo "$clean") <(grep -v -e "^ens5 $s1 $pb:3260,2 " -e '^lessons6 ' <<<"$after"); rc=1
  fi
  grep -q "^ens5 $s1 $pb:3260,2 " <<<"$after" && grep -q '^lessons6 ' <<<"$after" ||
    { echo "the tag-2 record or lessons6's record is gone"; rc=1; }
  sessions=$($lab ssh host1 -- "iscsiadm -m session -P 1" | awk '/Target:/{t=$2} /Current Portal:/{p=$3} /Iface Name:/{print $3, t, p}' | sort)
  if [ "$(grep -c "^ens5 $s1 $pb:3260,1" <<<"$sessions")" = 1 ] && [ "$(grep -c . <<<"$sessions")" = 5 ]; then
    echo "host1: one session of $s1 at $pb through ens5, 5 in all (the plan's 4 and lessons6's)"
  else
    echo "host1's sessions are not the plan's 4 and lessons6's: $(tr '\n' ';' <<<"$sessions")"; rc=1
  fi
  lessons_warned lessons-records-run.log "portal group tags 1, 2 for one portal" "the two records of $pb" || rc=1
  lessons_warned lessons-records-run.log "through a portal that no storage connection.*$pc:3260 through lessons6" "the session at $pc" || rc=1
  if grep -q 'session exists" (rc 15)' "$logs/lessons-records-run.log"; then echo "the login's rc 15 was said, the session kept"
  else echo "no warning about iscsiadm's rc 15 (the login met no second record?)"; rc=1; fi
  role_report "$logs/report-node-records" --limit host1 -e "@$lessons_backed_vars" || rc=1
  judge_reports "$logs/report-node-records" host1 || rc=1
  play lessons-records-rerun.log "$scenario/converge.yml" --limit host1 -e "@$lessons_backed_vars" || rc=1
  unchanged_rerun host1 lessons-records-rerun.log || rc=1

  # host1 rebooted (systemctl reboot; the lab boots the same disk again): open-iscsi logs in at
  # boot what the node records say, and nothing of the plant comes back.
  $lab reboot host1 || { echo "host1 did not come back from its reboot"; return 1; }
  sessions=$($lab ssh host1 -- "iscsiadm -m session -P 1" | awk '/Target:/{t=$2} /Current Portal:/{p=$3} /Iface Name:/{print $3, t, p}' | sort)
  if [ "$(grep -c . <<<"$sessions")" = 4 ] && ! grep -qv -e '^ens4 ' -e '^ens5 ' <<<"$sessions"; then
    echo "after host1's reboot: the plan's 4 sessions, none through default or lessons6"
  else
    echo "after host1's reboot: $(tr '\n' ';' <<<"$sessions")"; rc=1
  fi
  wait_paths host1 "" 90 || rc=1
  return $rc
}

# LOG PATTERN WHAT: the run's log carries a warning matching PATTERN.
lessons_warned() {
  if grep -A3 '\[WARNING\]' "$logs/$1" | tr -d '\n' | grep -q "$2"; then echo "warned about $3"
  else echo "no warning about $3"; return 1; fi
}

lessons_records_cleanup() {
  local s1 pb pc
  s1=$(state_json "['target']['targets'][0]['iqn']"); pb=$(state_json "['networks']['iscsi-b']['target_address']")
  pc=$(state_json "['networks']['iscsi-c']['target_address']")
  $lab ssh host1 -- "iscsiadm -m node -T $s1 -p $pc:3260,1 -I lessons6 -u >/dev/null 2>&1; iscsiadm -m node -T $s1 -p $pc:3260,1 -I lessons6 -o delete >/dev/null 2>&1
    iscsiadm -m iface -I lessons6 -o delete >/dev/null 2>&1
    # iscsiadm selects the records of a portal whatever the tag (-p ..,2 deletes the tag-1 one
    # too, or refuses while its session is up): the tag-2 record's own directory goes.
    rm -rf '/etc/iscsi/nodes/$s1/$pb,3260,2'
    iscsiadm -m node -I default -u >/dev/null 2>&1; iscsiadm -m node -I default -o delete >/dev/null 2>&1; true"
  play lessons-records-restore.log "$scenario/converge.yml" --limit host1 >/dev/null || echo "host1 could not be converged again"
}

# iscsi-a made a bridge (VM) network on host1 while fio writes through a map (VDSM a23321ae4, whose
# log says "manual intervention will be needed"): ens4 goes into the bridge lessonsbr, its address
# onto the bridge, and ens4's sessions, which iscsid keeps bound to ens4 for their life, lose their
# replies. The run with iscsi-a bridged must take them out (ens5 carries every LUN meanwhile), bind
# iface ens4 to the bridge and log them in again: every path back through lessonsbr (Iface Netdev,
# read by iscsiadm), fio without an error, the report equal to the kernel, the next run changed=0.
# Then back: the bridge undone, the run with the plain NIC brings the sessions back onto ens4.
# Control: before the run, ens4's sessions are bound to ens4 and their paths are not active.
iface_rebound() {  # proof
  local rc=0 dev
  lessons_bridge_vars || return 1
  dev=$(fio_first_map host1) || return 1
  fio_start host1 "$dev" "$logs/fio-iface-rebound.json" || return 1
  sleep 5
  lessons_bridge up || { fio_stop host1 "$logs/fio-iface-rebound.json"; lessons_bridge down; return 1; }
  wait_paths host1 ens4 60 || rc=1
  lessons_netdevs "before the run" ens4 || rc=1
  play lessons-rebound-run.log "$scenario/converge.yml" --limit host1 -e "@$lessons_bridged_vars" || { echo "the run failed"; rc=1; }
  lessons_netdevs "after the run" lessonsbr || rc=1
  wait_paths host1 "" 60 || rc=1
  sleep 5
  fio_stop host1 "$logs/fio-iface-rebound.json" || rc=1
  fio_report "host1 (iscsi-a bridged under fio)" "$logs/fio-iface-rebound.json" || rc=1
  role_report "$logs/report-iface-rebound" --limit host1 -e "@$lessons_bridged_vars" || rc=1
  judge_reports "$logs/report-iface-rebound" host1 || rc=1
  play lessons-rebound-rerun.log "$scenario/converge.yml" --limit host1 -e "@$lessons_bridged_vars" || rc=1
  unchanged_rerun host1 lessons-rebound-rerun.log || rc=1
  # Back to the plain NIC.
  lessons_bridge down || rc=1
  play lessons-rebound-back.log "$scenario/converge.yml" --limit host1 || { echo "the run back to ens4 failed"; rc=1; }
  lessons_netdevs "back on the NIC" ens4 || rc=1
  wait_paths host1 "" 60 || rc=1
  return $rc
}

lessons_bridged_vars=$logs/lessons-bridged-networks.json
lessons_bridge_vars() {
  ansible-inventory -i "$inv" --host host1 | python3 -c '
import json, sys
nets = json.load(sys.stdin)["lab_networks"]
out = []
for name in ("iscsi-a", "iscsi-b"):
    entry = {"name": name, "nic": nets[name]["nic"], "subnet": "%s/%s" % (nets[name]["address"], nets[name]["prefix"])}
    if name == "iscsi-a":
        entry.update(bridged=True, bridge="lessonsbr")
    out.append(entry)
print(json.dumps({"iscsi_paths_networks": out}))' > "$lessons_bridged_vars"
}

# up: ens4 into the bridge lessonsbr with ens4's address; down: as it was.
lessons_bridge() {
  local cidr
  cidr=$(state_json "['hosts']['host1']['networks']['iscsi-a']['address']")/$(state_json "['hosts']['host1']['networks']['iscsi-a']['prefix']")
  if [ "$1" = up ]; then
    $lab ssh host1 -- "ip link add lessonsbr type bridge && ip link set lessonsbr address \$(cat /sys/class/net/ens4/address) &&
      ip link set lessonsbr up && ip addr del $cidr dev ens4 && ip link set ens4 master lessonsbr && ip addr add $cidr dev lessonsbr" &&
      echo "host1: ens4 in the bridge lessonsbr, $cidr on the bridge"
  else
    $lab ssh host1 -- "! ip link show lessonsbr >/dev/null 2>&1 || { ip addr flush dev lessonsbr; ip link set ens4 nomaster; ip link del lessonsbr; }
      ip addr show dev ens4 | grep -qF ' $cidr ' || ip addr add $cidr dev ens4" && echo "host1: the bridge undone, $cidr on ens4"
  fi
}

# WHEN NETDEV: every session of host1 through iface ens4 is bound to NETDEV (iscsiadm's Iface Netdev).
lessons_netdevs() {
  local bound
  bound=$($lab ssh host1 -- "iscsiadm -m session -P 3" | awk '/Iface Name:/{i=$3} /Iface Netdev:/{if (i == "ens4") print $3}' | sort | uniq -c | tr -s ' ')
  if [ "$(awk '{print $2}' <<<"$bound" | sort -u)" = "$2" ] && [ "$(awk '{s+=$1} END{print s}' <<<"$bound")" = 2 ]; then
    echo "$1: iface ens4's 2 sessions bound to $2"
  else
    echo "$1: iface ens4's sessions bound to: ${bound:-none}, not both to $2"; return 1
  fi
}

# A LUN number given to another volume while the hosts keep its map (kubernetes/kubernetes#59946:
# a rescan only adds devices, and the old disk reads the new volume's data): a LUN added to
# storage1 for this proof and taken by both hosts, then `lab lun reuse` makes its number again on a
# new file with another WWID. Control: the hosts' disks still carry the old identity in the map
# while udev's scsi_id, reading VPD page 0x83 from the device, says the new one. The role's run
# must leave no map whose paths read another WWID (judged with scsi_id), flush host2's old map,
# refuse host1's while a process holds it open (naming it; the host then not operational on it),
# and flush it on the run after the holder is gone; the next run changes nothing.
lun_reused() {  # proof
  local rc=0 s1 old new number h
  s1=$(state_json "['target']['targets'][0]['iqn']")
  old=$($lab lun add "$s1" --size-mb 32 | tail -1) || return 1
  number=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([l["lun"] for l in d["target"]["targets"][0]["luns"] if l["wwid"] == sys.argv[2]][0])' \
             "$(dirname "$($lab inventory)")/state.json" "$old") || return 1
  play reused-add.log "$scenario/converge.yml" || rc=1
  # host1's map of it held open by a process that does no I/O (what matters is that it is open).
  $lab ssh host1 -- "setsid sleep 600 < /dev/mapper/$old > /dev/null 2>&1 &" || rc=1
  new=$($lab lun reuse "$s1" "$number" --size-mb 24 | tail -1) || rc=1
  echo "storage1 LUN $number: $old -> $new"
  for h in host1 host2; do
    if [ "$(lessons_mixed_maps $h | grep -c " $old .* $new$")" = 2 ]; then echo "control: $h's map $old has 2 paths that read $new"
    else echo "control: $h's map $old does not have 2 paths that read $new: $(lessons_mixed_maps $h | tr '\n' ';')"; rc=1; fi
  done
  ((rc)) && { lessons_reused_cleanup; return 1; }
  play reused-run.log "$scenario/converge.yml"
  for h in host1 host2; do lessons_no_mixed_map $h || rc=1; done
  lessons_warned reused-run.log "refused to flush map $old.*sleep" "host1's held map $old" || rc=1
  if grep -A1 '^ok: \[host1\] => {' "$logs/reused-run.log" | grep -q '"msg": "operational'; then
    echo "host1 reported operational with its held map $old pathless"; rc=1
  else echo "host1 not reported operational while its map $old is held"; fi
  lun_unmapped_gone host2 "$old" || rc=1
  $lab ssh host1 -- "pkill -x sleep; true" || rc=1
  play reused-idle.log "$scenario/converge.yml" || rc=1
  for h in host1 host2; do lun_unmapped_gone $h "$old" && lessons_no_mixed_map $h || rc=1; done
  role_report "$logs/report-reused" || rc=1
  judge_reports "$logs/report-reused" host1 host2 || rc=1
  play reused-rerun.log "$scenario/converge.yml" || rc=1
  for h in host1 host2; do unchanged_rerun $h reused-rerun.log || rc=1; done
  lessons_reused_cleanup
  return $rc
}

# "map device live-WWID" for each path of HOST whose device answers another WWID than its map's
# name (udev's scsi_id reads VPD page 0x83 from the device itself).
lessons_mixed_maps() {
  $lab ssh "$1" -- "multipathd show paths raw format '%m %d' | while read -r map dev; do
    live=\$(/lib/udev/scsi_id -g -u -d /dev/\$dev 2>/dev/null); [ -z \"\$live\" ] || [ \"\$live\" = \"\$map\" ] || echo \" \$map \$dev \$live\"; done"
}

lessons_no_mixed_map() {
  local mixed
  mixed=$(lessons_mixed_maps "$1") || return 1
  if [ -z "$mixed" ]; then echo "$1: every path reads its map's WWID (scsi_id)"
  else echo "$1: paths read another WWID than their map's:$(tr '\n' ';' <<<"$mixed")"; return 1; fi
}

# The hosts' maps and disks of the LUN first, then the LUN off the target: a disk of a LU gone
# answers with tgtd's identity of LUN 0 once anything reads it again (a CI run left such a disk
# on host1, in no map, when the LUN went first), and would no longer be found by its WWID.
lessons_reused_cleanup() {
  $lab ssh host1 -- "pkill -x sleep; true" </dev/null
  for h in host1 host2; do
    $lab ssh $h -- "for m in $old $new; do multipath -f \$m >/dev/null 2>&1; done; for d in /sys/block/sd*; do
      case \"\$(cat \$d/device/wwid 2>/dev/null)\" in naa.${old#3}|naa.${new#3}) echo 1 > \$d/device/delete;; esac; done; true" </dev/null
  done
  $lab lun remove "$s1" "$number" >/dev/null 2>&1
  play reused-restore.log "$scenario/converge.yml" >/dev/null || echo "the lab could not be converged again"
  for h in host1 host2; do
    $lab ssh $h -- "multipathd show paths raw format '%w %m' | grep -v '^3[0-9a-f]* 3'" </dev/null | grep -q . &&
      echo "$h: a path in no map is left: $($lab ssh $h -- "multipathd show paths raw format '%d %w %m'" </dev/null | tr '\n' ';')"
  done
  true
}
