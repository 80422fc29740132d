# Proofs of the one-call host side (sourced by tests/host/proof, which defines lab, inv, logs,
# play, state_json, fio_start, fio_stop and fio_report): a run killed while it logs in, and a VDSM host's
# sessions logged out live when the engine's plan drops them, and two sessions to one portal.

# host1 with nothing of the role's: no sessions, node records, ifaces or record.
forget_all() {
  $lab ssh "$1" -- 'iscsiadm -m node -u >/dev/null 2>&1; iscsiadm -m node -o delete >/dev/null 2>&1
    for i in ens4 ens5 ens6; do iscsiadm -m iface -I $i -o delete >/dev/null 2>&1; done
    rm -f /var/lib/ovirt_iscsi_multipath.iscsi_paths.json; iscsiadm -m session >/dev/null 2>&1; test $? = 21'
}

# What a host has: ifaces, node records (target portal iface) and sessions (target portal iface).
host_state() {
  $lab ssh "$1" -- 'iscsiadm -m iface | sort; echo "--- nodes"; iscsiadm -m node -P 1 | awk "/Target:/{t=\$2} /Portal:/{p=\$2} /Iface Name:/{print t, p, \$3}" | sed "s/,[0-9-]* / /" | sort
    echo "--- sessions"; iscsiadm -m session -P 1 | awk "/Target:/{t=\$2} /Current Portal:/{p=\$3} /Iface Name:/{print t, p, \$3}" | sed "s/,[0-9]* / /" | sort'
}

# A run whose module dies on the host in the middle of its logins (as under the OOM killer): the
# module itself is killed on host1, by the pid its host lock's note names. iscsi-b is black-holed
# on host1 first so that its logins hang for their time-out: the run is caught half-done
# (iscsi-a's sessions up, iscsi-b's not), which is asserted; the re-run must then complete it.
killed_rerun() {  # proof
  local rc=0 clean killed pid seen="" note module_pid tries=0 nic_a nic_b
  nic_a=$(state_json "['hosts']['host1']['networks']['iscsi-a']['nic']")
  nic_b=$(state_json "['hosts']['host1']['networks']['iscsi-b']['nic']")
  forget_all host1 || { echo "host1 could not be emptied"; return 1; }
  play killed-clean.log "$scenario/converge.yml" --limit host1 || return 1
  clean=$(host_state host1) || return 1
  forget_all host1 || return 1
  $lab drop iscsi-b --host host1 >/dev/null || { echo "lab drop iscsi-b failed"; return 1; }
  echo "host1: converge from nothing with iscsi-b black-holed; its module killed on host1 once $nic_a is logged in"
  setsid ansible-playbook -i "$inv" "$scenario/converge.yml" --limit host1 > "$logs/killed-run.log" 2>&1 &
  pid=$!
  # The note names iscsi_sessions' pid once it holds the lock (iscsi_host_config holds it before).
  until seen=$($lab ssh host1 -- "python3 -c 'import json; n = json.load(open(\"/run/ovirt_iscsi_multipath.lock\")); print(n[\"pid\"] if n.get(\"module\") == \"iscsi_sessions\" else \"\")' 2>/dev/null
      iscsiadm -m session -P 1 2>/dev/null | grep -c 'Iface Name: $nic_a\$'") && note=$(head -1 <<<"$seen") &&
      [ -n "$note" ] && [ "$(tail -1 <<<"$seen")" -gt 0 ]; do
    tries=$((tries + 1))
    if ! kill -0 "$pid" 2>/dev/null || [ $tries -gt 300 ]; then
      echo "the run ended (or 300 polls passed) before iscsi_sessions logged in through $nic_a"; $lab restore iscsi-b --host host1 >/dev/null; return 1
    fi
    sleep 0.3
  done
  module_pid=$note
  $lab ssh host1 -- "kill -KILL $module_pid" || { echo "could not kill pid $module_pid on host1"; rc=1; }
  wait "$pid"
  echo "iscsi_sessions (pid $module_pid on host1) killed; the run ended with exit $?"
  grep -q "failed=0" "$logs/killed-run.log" && { echo "the run says it did not fail: its module was not cut"; rc=1; }
  # Half-done: iscsi-a's sessions up, none through iscsi-b (its logins were hanging).
  killed=$(host_state host1) || rc=1
  local via_a via_b
  via_a=$(sed -n '/--- sessions/,$p' <<<"$killed" | grep -c " $nic_a\$") via_b=$(sed -n '/--- sessions/,$p' <<<"$killed" | grep -c " $nic_b\$")
  if [ "$via_a" -gt 0 ] && [ "$via_b" = 0 ] && [ "$clean" != "$killed" ]; then
    echo "host1 half-done after the kill: $via_a session(s) through $nic_a, $via_b through $nic_b"
  else
    echo "host1 is not half-done after the kill ($via_a through $nic_a, $via_b through $nic_b)"; rc=1
  fi
  # The killed module's iscsiadm logins through the black hole end at their time-out; wait for them.
  $lab ssh host1 -- 'for i in $(seq 120); do pgrep -x iscsiadm >/dev/null || exit 0; sleep 1; done; exit 1' \
    || { echo "iscsiadm processes still running on host1 after 120 s"; rc=1; }
  $lab restore iscsi-b --host host1 >/dev/null || { echo "lab restore iscsi-b failed"; rc=1; }
  play killed-rerun.log "$scenario/converge.yml" --limit host1 || rc=1
  grep -q "took over the host lock of a run that ended without releasing it: pid $module_pid (iscsi_sessions" "$logs/killed-rerun.log" \
    && echo "the re-run took over the killed module's lock and said so" || { echo "the re-run does not report taking over pid $module_pid's lock"; rc=1; }
  killed=$(host_state host1) || rc=1
  if [ "$clean" = "$killed" ]; then
    echo "after the re-run host1's ifaces, node records and sessions equal a clean run's ($(grep -c . <<<"$clean") lines)"
  else
    echo "host1 differs from a clean run:"; diff <(echo "$clean") <(echo "$killed"); rc=1
  fi
  # Everything the role made is in its record: each iface of a storage network and each node record.
  local record made
  record=$($lab ssh host1 -- 'python3 -c "import json; r = json.load(open(\"/var/lib/ovirt_iscsi_multipath.iscsi_paths.json\")); print(\" \".join(sorted(r[\"ifaces\"])), len(r[\"nodes\"]))"') || rc=1
  made="$(sed -n '/^ens[0-9]* /s/ .*//p' <<<"$killed" | sort | tr '\n' ' ' | sed 's/ $//') $(sed -n '/--- nodes/,/--- sessions/p' <<<"$killed" | grep -c ' ens')"
  if [ "$record" = "$made" ]; then echo "the record lists everything the role made: $record"; else echo "record '$record', made '$made'"; rc=1; fi
  return $rc
}

# host1 as a VDSM host (/etc/vdsm/vdsm.conf present, so ownership=auto means the engine's):
# sessions made by iscsiadm through NIC-named ifaces the way VDSM makes them, to storage1 (the
# data center's target) and storage2 (standing for a target of no data center). The engine's
# plan then drops iscsi-b: storage1's session through ens5 goes, live under fio; storage2's stay.
vdsm_live_removal() {  # proof
  local rc=0 s1 s2 secret_file before after
  s1=$(state_json "['target']['targets'][0]['iqn']")
  s2=$(state_json "['target']['targets'][1]['iqn']")
  secret_file=$(state_json "['target']['targets'][1]['chap_secret_file']")
  forget_all host1 || return 1
  # The secret travels on stdin, as a line before the script.
  { cat "$secret_file"; echo; cat <<'SH'; } | $lab ssh host1 -- "S1=$s1 S2=$s2 bash -c 'read -r secret; export secret; bash -s'" || return 1
set -e
mkdir -p /etc/vdsm && touch /etc/vdsm/vdsm.conf
for nic in ens4 ens5; do
  iscsiadm -m iface -I $nic -o new >/dev/null
  iscsiadm -m iface -I $nic -o update -n iface.net_ifacename -v $nic >/dev/null
done
for pair in "ens4 198.18.1.1" "ens5 198.18.2.1"; do
  set -- $pair
  iscsiadm -m node -T $S1 -p $2:3260,1 -I $1 -o new >/dev/null
  iscsiadm -m node -T $S2 -p $2:3260,1 -I $1 -o new >/dev/null
  iscsiadm -m node -T $S2 -p $2:3260,1 -I $1 -o update -n node.session.auth.authmethod -v CHAP \
    -n node.session.auth.username -v labchap -n node.session.auth.password -v "$secret"
  iscsiadm -m node -T $S1 -p $2:3260,1 -I $1 -l >/dev/null
  iscsiadm -m node -T $S2 -p $2:3260,1 -I $1 -l >/dev/null
done
for i in $(seq 60); do
  [ "$(multipathd show paths raw format '%t|%T' 2>/dev/null | grep -c '^active|ready$')" = 6 ] && exit 0
  sleep 1
done
echo "VDSM-style sessions: not every path active after 60 s"; exit 1
SH
  before=$(host_state host1)
  echo "host1 before (VDSM-style): $(grep -c " ens" <<<"$(sed -n '/--- sessions/,$p' <<<"$before")") sessions"
  local dev sessions
  dev=$(fio_first_map host1) || return 1
  fio_start host1 "$dev" "$logs/fio-vdsm-live.json" || return 1
  sleep 10
  sessions="[{\"iface\": \"ens4\", \"net_ifacename\": \"ens4\", \"network\": \"iscsi-a\", \"subnet\": \"198.18.1.0/24\", \"address\": \"198.18.1.1\", \"target\": \"$s1\"}]"
  play vdsm-live.log tests/host/sessions.yml --limit host1 -e "{\"lab_sessions\": $sessions, \"lab_engine_targets\": [\"$s1\"]}" || rc=1
  sleep 5
  fio_stop host1 "$logs/fio-vdsm-live.json" || rc=1
  fio_report "host1 (VDSM's session logged out under I/O)" "$logs/fio-vdsm-live.json" || rc=1
  after=$(host_state host1)
  grep -q "^$s1 198.18.2.1:3260 ens5$" <<<"$after" && { echo "storage1 through ens5 still there"; rc=1; }
  grep -q "^$s1 198.18.1.1:3260 ens4$" <<<"$(sed -n '/--- sessions/,$p' <<<"$after")" || { echo "storage1 through ens4 is gone"; rc=1; }
  local foreign_before foreign_after
  foreign_before=$(grep "^$s2 " <<<"$before"); foreign_after=$(grep "^$s2 " <<<"$after")
  if [ -n "$foreign_before" ] && [ "$foreign_before" = "$foreign_after" ]; then
    echo "storage2 (no data center's target): its $(grep -c . <<<"$foreign_after") node records and sessions left as they were"
  else
    echo "storage2 changed:"; diff <(echo "$foreign_before") <(echo "$foreign_after"); rc=1
  fi
  grep -q '^ens5 ' <<<"$after" && echo "VDSM's iface ens5 left to VDSM" || { echo "the role deleted VDSM's iface ens5"; rc=1; }
  grep -q 'kept: the last active path' "$logs/vdsm-live.log" && { echo "a logout was refused as a last path"; rc=1; }
  $lab ssh host1 -- 'rm -f /etc/vdsm/vdsm.conf; rmdir /etc/vdsm 2>/dev/null; true'
  return $rc
}

# Two sessions to one target and portal through two ifaces (the role's ens4 one and a stray one
# through default), logged in one after the other: iscsiadm then prints their portal once, and
# the second session begins at its Interface block. The role's report must hold both sessions,
# each with its own disks, exactly as the kernel has them (it once read them as one session,
# with every disk of both).
same_portal() {  # proof
  local rc=0 s1 pa tree try
  s1=$(state_json "['target']['targets'][0]['iqn']")
  pa=$(state_json "['networks']['iscsi-a']['target_address']"):3260,1
  forget_all host1 || { echo "host1 could not be emptied"; return 1; }
  play same-portal-setup.log "$scenario/converge.yml" --limit host1 || return 1
  # iscsiadm lists sessions in the order of their sysfs names (session10 before session6): two
  # logged in one after the other are adjacent unless their numbers cross a power of ten, so a
  # second try (two numbers on) makes the case when the first did not.
  for try in 1 2 3; do
    $lab ssh host1 -- "iscsiadm -m node -T $s1 -p $pa -I ens4 -u >/dev/null; iscsiadm -m node -T $s1 -p $pa -I default -u >/dev/null 2>&1
      iscsiadm -m node -T $s1 -p $pa -I default -o new >/dev/null &&
      iscsiadm -m node -T $s1 -p $pa -I ens4 -l >/dev/null && iscsiadm -m node -T $s1 -p $pa -I default -l >/dev/null" \
      || { echo "the two sessions to $s1 at $pa could not be made"; return 1; }
    tree=$($lab ssh host1 -- iscsiadm -m session -P 1) || return 1
    echo "$tree" > "$logs/same-portal-tree.txt"
    # The case itself, or the proof proves nothing: both sessions under one portal line.
    if [ "$(awk '/Target:/{t=$2} /Current Portal:/{p=$3} /Iface Name:/{print t, p, $3}' <<<"$tree" | grep -c "^$s1 $pa ")" = 2 ] &&
       [ "$(grep -c 'Current Portal:' <<<"$tree")" -lt "$(grep -c 'Iface Name:' <<<"$tree")" ]; then
      echo "host1: $s1 at $pa through ens4 and default, the portal printed once for both (try $try)"; break
    fi
    [ $try = 3 ] && { echo "host1: iscsiadm does not show two sessions under one portal line:"; sed 's/^/    /' <<<"$tree"; return 1; }
  done
  wait_paths host1 "" 90 || rc=1
  role_report "$logs/report-same-portal" --limit host1 || rc=1
  judge_reports "$logs/report-same-portal" host1 || rc=1
  python3 - "$logs/report-same-portal/host1.json" "$s1" "${pa%,1}" <<'PY' || rc=1
import json, sys
report, target, portal = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
stray = [s for s in report['stray'] if s['iface'] == 'default' and s['target'] == target and s['portal'] == portal]
print('the report names the default-iface session as stray' if stray else 'the report does not name the default-iface session as stray: %s' % report['stray'])
sys.exit(0 if stray else 1)
PY
  $lab ssh host1 -- "iscsiadm -m node -T $s1 -p $pa -I default -u >/dev/null; iscsiadm -m node -T $s1 -p $pa -I default -o delete" || rc=1
  return $rc
}
