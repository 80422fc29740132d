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
