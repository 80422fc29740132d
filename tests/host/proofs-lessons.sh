# Proofs of what production taught (issue 22; roles/iscsi_paths/README.md "What production taught"):
# sourced by tests/host/proof. Each judges the host with the tools themselves (multipathd, lvm over
# the lab's ssh), not with the collection's parsers, and leaves host1 as it found it, also after a failure.
source "$top/tests/lib/guest_lvm.sh"

lessons_dropin=/etc/multipath/conf.d/zz-lessons-iet.conf

# The maps of HOST, "name wwid" per line, as multipathd names them.
lessons_maps() { $lab ssh "$1" -- "multipathd show maps raw format '%n %w'"; }

# LOG PATTERN NAMED WHILE: the role's run on host1 (into LOG) must fail, its message matching PATTERN.
lessons_refused() {
  if play "$1" "$scenario/converge.yml" --limit host1; then
    echo "the role converged host1 while $4"; return 1
  elif grep -q "$2" "$logs/$1"; then
    echo "refused, naming $3"
  else
    echo "the run failed without naming $3"; return 1
  fi
}

# A drop-in of another tool, sorting after the role's, turns user_friendly_names on for tgtd's LUNs
# (vendor IET): multipathd runs it (judged in its own output), the role refuses host1 naming the file;
# without it the same run passes and the maps are named by their WWIDs again.
multipath_user_friendly_names() {  # proof
  local rc=0
  lessons_ufn_refused || rc=1
  lessons_multipath_cleanup
  # Control: the same run without the drop-in passes, and every map is named by its WWID again.
  play lessons-ufn-control.log "$scenario/converge.yml" --limit host1 || { echo "control: the run without the drop-in failed"; rc=1; }
  if lessons_maps host1 | awk '$1 != $2 {bad=1} END{exit bad || NR == 0}'; then
    echo "every map of host1 named by its WWID"
  else
    echo "maps not named by their WWIDs: $(lessons_maps host1 | tr '\n' ';')"; rc=1
  fi
  return $rc
}

lessons_ufn_refused() {
  local rc=0 local_config
  printf '%s\n' 'devices {' '    device {' '        vendor "IET"' '        product "VIRTUAL-DISK"' '        user_friendly_names yes' \
    '    }' '}' | $lab ssh host1 -- "mkdir -p /etc/multipath/conf.d && cat > $lessons_dropin && multipathd reconfigure >/dev/null && sleep 3" || return 1
  # The judge: multipathd's own account of the IET device section it runs (awk, not the collection's parser).
  local_config=$($lab ssh host1 -- multipathd show config local) || return 1
  if awk '/^\tdevice \{/{d=1; v=0} d && /vendor "IET"/{v=1} d && v && /user_friendly_names "yes"/{found=1} /^\t\}/{d=0} END{exit !found}' <<<"$local_config"; then
    echo "multipathd runs user_friendly_names yes for vendor IET (the drop-in is in force)"
  else
    echo "multipathd does not run the planted drop-in: the refusal below would prove nothing"; return 1
  fi
  echo "host1's maps meanwhile: $(lessons_maps host1 | tr '\n' ';')"
  lessons_refused lessons-ufn-refused.log "user_friendly_names yes.*$lessons_dropin" "$lessons_dropin" \
    "multipathd runs user_friendly_names yes" || rc=1
  return $rc
}

lessons_multipath_cleanup() {
  $lab ssh host1 -- "[ ! -e $lessons_dropin ] || { rm -f $lessons_dropin && multipathd reconfigure >/dev/null && sleep 3; }"
}

# A VG on a LUN of the data center (Debian's lvm2 with its stock configuration: no devices file, no
# filter): host1's LVM sees it, the role fails host1 naming the VG and the map; with
# iscsi_paths_lvm_fix the run passes and host1's LVM no longer sees it, while the VG is still on the
# LUN (LVM told to bypass its devices file finds it). Control: the same host, lvm installed but no VG
# on the LUNs, converges (with the warning that its LVM is unprotected).
lvm_filter() {  # proof
  local rc=0
  lessons_lvm_fixed || rc=1
  lessons_lvm_cleanup
  return $rc
}

lessons_lvm_fixed() {
  local rc=0 map vgs
  map=$(state_json "['target']['targets'][0]['luns'][1]['wwid']") || return 1
  guest_lvm_add host1 || { echo "lvm could not be staged on host1"; return 1; }
  play lessons-lvm-control.log "$scenario/converge.yml" --limit host1 || { echo "control: host1 with lvm and no VG failed"; rc=1; }
  grep -q "no devices file and no filter" "$logs/lessons-lvm-control.log" && echo "control: converged, warned that LVM is unprotected" ||
    { echo "control: no warning about the unprotected LVM"; rc=1; }
  $lab ssh host1 -- "lvm vgcreate lessons_vg /dev/mapper/$map >/dev/null" || return 1
  vgs=$($lab ssh host1 -- "lvm vgs --noheadings -o vg_name") || return 1
  grep -qw lessons_vg <<<"$vgs" && echo "host1's LVM sees lessons_vg on $map" || { echo "host1's LVM does not see lessons_vg: nothing to prove"; return 1; }
  lessons_refused lessons-lvm-refused.log "VG lessons_vg on $map" "lessons_vg and $map" "its LVM sees lessons_vg" || rc=1
  play lessons-lvm-fix.log "$scenario/converge.yml" --limit host1 -e iscsi_paths_lvm_fix=true || { echo "the run with iscsi_paths_lvm_fix failed"; rc=1; }
  vgs=$($lab ssh host1 -- "lvm vgs --noheadings -o vg_name") || rc=1
  if grep -qw lessons_vg <<<"$vgs"; then echo "host1's LVM still sees lessons_vg after the fix"; rc=1; else echo "host1's LVM no longer sees lessons_vg"; fi
  $lab ssh host1 -- "lvm vgs --noheadings -o vg_name --config 'devices { use_devicesfile = 0 }'" | grep -qw lessons_vg &&
    echo "lessons_vg is still on $map (found bypassing the devices file)" || { echo "lessons_vg is gone from $map"; rc=1; }
  return $rc
}

lessons_lvm_cleanup() {
  local map
  map=$(state_json "['target']['targets'][0]['luns'][1]['wwid']")
  $lab ssh host1 -- "! command -v lvm >/dev/null || { lvm vgremove -f --config 'devices { use_devicesfile = 0 }' lessons_vg >/dev/null 2>&1;
    lvm pvremove -y --config 'devices { use_devicesfile = 0 }' /dev/mapper/$map >/dev/null 2>&1; true; }"
  guest_lvm_remove host1
}

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
# the next run changes nothing; and the boot's own login (every session out, then open-iscsi's
# `iscsiadm -m node --loginall=automatic`) brings back exactly the plan's sessions.
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

  # The boot's login: every session out, then what open-iscsi.service runs at boot.
  $lab ssh host1 -- "iscsiadm -m session -u >/dev/null; iscsiadm -m node --loginall=automatic >/dev/null 2>&1; true" || rc=1
  sessions=$($lab ssh host1 -- "iscsiadm -m session -P 1" | awk '/Target:/{t=$2} /Current Portal:/{p=$3} /Iface Name:/{print $3, t, p}' | sort)
  if [ "$(grep -c . <<<"$sessions")" = 4 ] && ! grep -qv -e '^ens4 ' -e '^ens5 ' <<<"$sessions"; then
    echo "after the boot's login: the plan's 4 sessions, none through default or lessons6"
  else
    echo "after the boot's login: $(tr '\n' ';' <<<"$sessions")"; rc=1
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
