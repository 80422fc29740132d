# Proofs of the faults a production host's storage sees besides a lost network (issue 20; sourced by
# tests/host/proof, which defines lab, inv, logs, play, state_json, judge, role_report, judge_reports,
# wait_paths, wait_all_down, fio_start, fio_stop, fio_report, role_default; proofs-sessions.sh
# defines forget_all and host_state): iscsid restarted while the role logs in, multipathd
# restarted under I/O, the whole target down for a while and for longer than multipath queues, and
# a LUN unmapped on the target while the hosts have it mapped. Each leaves the lab converged.

# The role's run on HOST changed nothing (its recap line says changed=0).
unchanged_rerun() {
  if grep -Eq "^$1 +: ok=[0-9]+ +changed=0 " "$logs/$2"; then echo "$1: the next run changed nothing"
  else echo "$1: the next run changed something: $(grep -E "^$1 +: ok=" "$logs/$2")"; return 1; fi
}

# fio's JSON report OUT ended on an I/O error (fio stops at its first): "errno N" on stdout.
fio_failed_with() {
  python3 - "$1" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
try:
    job = json.loads(text[text.index('{'):])['jobs'][0]
except (ValueError, KeyError, IndexError) as exc:
    print('no fio result (%s)' % exc); sys.exit(1)
print('errno %d' % job['error'])
sys.exit(0 if job['error'] else 1)
PY
}

# iscsid restarted (systemctl restart) on host1 while the role logs it in from nothing: as soon as
# its first session exists, while others are still to come. The run must end as a clean run ends
# (same ifaces, node records and sessions) or fail naming iscsid; either way the role's report must
# equal the kernel's paths (never a session the host does not have). Positive control: iscsid's
# main pid changed, and the restart came after the first and before the last session.
iscsid_restart() {  # proof
  local rc=0 clean after total restarter out run_rc
  forget_all host1 || { echo "host1 could not be emptied"; return 1; }
  play iscsid-clean.log "$scenario/converge.yml" --limit host1 || return 1
  clean=$(host_state host1) || return 1
  total=$(sed -n '/^--- sessions$/,$p' <<<"$clean" | grep -vc '^---')
  forget_all host1 || { echo "host1 could not be emptied"; return 1; }
  out=$logs/iscsid-restart.txt
  # On the guest: wait (at most 300 s) for the first session, then restart iscsid at once. The
  # wait reads sysfs with bash's own glob and read -t (no process per poll: under emulation a
  # spawned iscsiadm took longer than the role's parallel logins, and a CI run saw 4 of 4 sessions).
  $lab ssh host1 -- "bash -s" > "$out" 2>&1 <<'SH' &
before=$(systemctl show -p MainPID --value iscsid)
shopt -s nullglob
exec 3<> <(:)
for i in $(seq 6000); do
  sessions=(/sys/class/iscsi_session/session*)
  if [ "${#sessions[@]}" -gt 0 ]; then
    systemctl restart iscsid
    echo "restarted with ${#sessions[@]} session(s); iscsid pid $before -> $(systemctl show -p MainPID --value iscsid)"; exit 0
  fi
  read -t 0.05 -u 3 || true
done
echo "no session appeared in 300 s"; exit 1
SH
  restarter=$!
  # One login at a time, so that the restart finds sessions still to come (the role's default,
  # all at once, logs the 4 in within a second).
  play iscsid-restart-converge.log "$scenario/converge.yml" --limit host1 -e iscsi_paths_parallel_logins=1
  run_rc=$?
  wait "$restarter" || rc=1
  cat "$out"
  # The control: the restart happened in the middle of the logins, to a new iscsid.
  local n pids
  n=$(sed -n 's/^restarted with \([0-9]*\) session.*/\1/p' "$out")
  pids=$(sed -n 's/.*iscsid pid \([0-9]*\) -> \([0-9]*\)$/\1 \2/p' "$out")
  if [ -z "$n" ] || [ "$n" -ge "$total" ]; then
    echo "control: the restart did not come while sessions were still to log in ($n of $total)"; rc=1
  elif [ -z "$pids" ] || [ "${pids% *}" = "${pids#* }" ] || [ "${pids#* }" = 0 ]; then
    echo "control: iscsid's pid did not change ($pids)"; rc=1
  else
    echo "control: iscsid restarted after $n of $total sessions"
  fi
  after=$(host_state host1) || rc=1
  if [ "$run_rc" = 0 ]; then
    if [ "$clean" = "$after" ]; then echo "the run passed; host1 equals a clean run ($(grep -c . <<<"$after") lines)"
    else echo "the run passed but host1 differs from a clean run:"; diff <(echo "$clean") <(echo "$after"); rc=1; fi
  elif grep -E "^(fatal|failed:)" "$logs/iscsid-restart-converge.log" | grep -q iscsid; then
    echo "the run failed naming iscsid: $(grep -E '^(fatal|failed:)' "$logs/iscsid-restart-converge.log" | grep -o '"msg": "[^"]*' | head -1)"
  else
    echo "the run failed without naming iscsid"; rc=1
  fi
  # Whatever the run concluded, the role's report now equals the kernel's paths.
  role_report "$logs/report-iscsid-restart" --limit host1
  judge_reports "$logs/report-iscsid-restart" host1 || rc=1
  # The lab as found: converged; a failed run is completed here, and that run must pass.
  play iscsid-restore.log "$scenario/converge.yml" --limit host1 || rc=1
  after=$(host_state host1) || rc=1
  [ "$clean" = "$after" ] || { echo "host1 after the next run differs from a clean run"; rc=1; }
  return $rc
}

# multipathd restarted (systemctl restart) on host1 while fio writes and verifies through a map:
# no I/O error, the same maps with every path active afterwards (kernel and multipathd), the
# role's report equal to the kernel, and the next run changes nothing. Control: multipathd's pid changed.
multipathd_restart() {  # proof
  local rc=0 dev maps_before maps_after pid_before pid_after
  maps_before=$($lab ssh host1 -- multipathd show maps raw format %w </dev/null | sort) || return 1
  pid_before=$($lab ssh host1 -- systemctl show -p MainPID --value multipathd) || return 1
  dev=$(fio_first_map host1) || return 1
  fio_start host1 "$dev" "$logs/fio-multipathd-restart.json" || return 1
  sleep 10
  $lab ssh host1 -- systemctl restart multipathd || { echo "restarting multipathd failed"; rc=1; }
  pid_after=$($lab ssh host1 -- systemctl show -p MainPID --value multipathd) || rc=1
  if [ "$pid_after" != 0 ] && [ "$pid_before" != "$pid_after" ]; then echo "control: multipathd pid $pid_before -> $pid_after"
  else echo "control: multipathd's pid did not change ($pid_before -> $pid_after)"; rc=1; fi
  wait_paths host1 "" 60 || rc=1
  sleep 5
  fio_stop host1 "$logs/fio-multipathd-restart.json" || rc=1
  fio_report "host1 (multipathd restarted)" "$logs/fio-multipathd-restart.json" || rc=1
  maps_after=$($lab ssh host1 -- multipathd show maps raw format %w </dev/null | sort) || rc=1
  if [ -n "$maps_after" ] && [ "$maps_before" = "$maps_after" ]; then echo "the same $(grep -c . <<<"$maps_after") maps after the restart"
  else echo "maps before: $(tr '\n' ' ' <<<"$maps_before"); after: $(tr '\n' ' ' <<<"$maps_after")"; rc=1; fi
  assert_tuned host1 || rc=1
  role_report "$logs/report-multipathd-restart" --limit host1 || rc=1
  judge_reports "$logs/report-multipathd-restart" host1 || rc=1
  play multipathd-rerun.log "$scenario/converge.yml" --limit host1 || rc=1
  unchanged_rerun host1 multipathd-rerun.log || rc=1
  return $rc
}

# Every portal of every target gone (tgtd stopped, then started as it was), as when an array
# reboots its controller. First 20 s under fio on host1 with the role's queueing (no_path_retry
# x polling_interval, 80 s by default): the I/O queues and resumes with no error; its longest I/O
# is measured, and must be at least half the outage (control: the outage reached the I/O). Then,
# with the queueing lowered for this proof to FAULT_NO_PATH_RETRY checker intervals (the default's
# 80 s would cost this proof two minutes more and prove the same), down for longer: fio must end
# by itself on an I/O error (no hung process) after the queueing and not long before, the role's
# report must say host1 non operational as the kernel does, and when the target is back the next
# run brings every path back. Finally the default queueing is converged again (changed, then none).
target_outage() {  # proof
  local rc=0 dev p start stopped_at ended queue_s interval short=20 retry=${FAULT_NO_PATH_RETRY:-3}
  interval=$(role_default polling_interval)
  dev=$(fio_first_map host1) || return 1
  echo "the target down $short s under fio (queueing: $(role_default no_path_retry) x $interval s)"
  fio_start host1 "$dev" "$logs/fio-outage-short.json" || return 1
  sleep 10
  $lab target stop || { echo "lab target stop failed"; rc=1; }
  stopped_at=$SECONDS
  wait_all_down host1 30 || rc=1
  sleep $((stopped_at + short - SECONDS > 0 ? stopped_at + short - SECONDS : 0))
  $lab target start || { echo "lab target start failed"; return 1; }
  echo "target back after $((SECONDS - stopped_at)) s"
  for h in host1 host2; do wait_paths $h "" 90 || rc=1; done
  sleep 5
  fio_stop host1 "$logs/fio-outage-short.json" || rc=1
  fio_report "host1 (target down $short s)" "$logs/fio-outage-short.json" || rc=1
  # The longest I/O waited through the outage: at least half of it, less than the queueing.
  python3 - "$logs/fio-outage-short.json" "$short" "$(( $(role_default no_path_retry) * interval ))" <<'PY' || rc=1
import json, sys
text = open(sys.argv[1]).read()
job = json.loads(text[text.index('{'):])['jobs'][0]
longest = max(job[k]['lat_ns']['max'] for k in ('read', 'write')) / 1e9
outage, queueing = float(sys.argv[2]), float(sys.argv[3])
ok = outage / 2 <= longest < queueing
print('longest I/O %.1f s: %s (outage %d s, queueing %d s)' % (
    longest, 'queued through the outage' if ok else 'NOT between half the outage and the queueing', outage, queueing))
sys.exit(0 if ok else 1)
PY

  queue_s=$((retry * interval))
  echo "queueing lowered to $retry x $interval s = $queue_s s; the target down until fio ends"
  play outage-lowered.log "$scenario/converge.yml" --limit host1 -e iscsi_paths_no_path_retry="$retry" || { echo "converging no_path_retry $retry failed"; return 1; }
  $judge multipathd host1 "defaults.no_path_retry=$retry" || rc=1
  fio_start host1 "$dev" "$logs/fio-outage-long.json" || return 1
  p=$fio_pid
  sleep 10
  $lab target stop || { echo "lab target stop failed"; rc=1; }
  start=$SECONDS
  # fio must end by itself: queueing, path detection (a few seconds) and margin.
  while kill -0 "$p" 2>/dev/null && ((SECONDS - start < queue_s + 45)); do sleep 1; done
  ended=$((SECONDS - start))
  if kill -0 "$p" 2>/dev/null; then
    echo "fio still runs $ended s into the outage (queueing $queue_s s): I/O hangs"; rc=1
    fio_pid=$p fio_stop host1 "$logs/fio-outage-long.json" 10
  else
    wait "$p"
    if ((ended >= queue_s)); then echo "fio ended by itself $ended s into the outage (queueing $queue_s s)"
    else echo "fio ended $ended s into the outage, before the queueing's $queue_s s"; rc=1; fi
    echo "fio's I/O failed: $(fio_failed_with "$logs/fio-outage-long.json")" || rc=1
  fi
  if role_report "$logs/report-outage-long" --limit host1; then echo "the role did not fail host1 without paths"; rc=1; fi
  judge_reports "$logs/report-outage-long" host1 || rc=1
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); s=r.get("state"); print("report: host1", s); sys.exit(s != "non operational")' \
    "$logs/report-outage-long/host1.json" || rc=1
  $lab target start || { echo "lab target start failed"; return 1; }
  echo "target back; the default queueing converged again"
  play outage-restore.log "$scenario/converge.yml" --limit host1 || rc=1
  for h in host1 host2; do wait_paths $h "" 90 || rc=1; done
  assert_tuned host1 || rc=1
  role_report "$logs/report-outage-after" || rc=1
  judge_reports "$logs/report-outage-after" host1 host2 || rc=1
  play outage-rerun.log "$scenario/converge.yml" || rc=1
  for h in host1 host2; do unchanged_rerun $h outage-rerun.log || rc=1; done
  return $rc
}

# A LUN unmapped on the target while the hosts have it mapped (`lab lun remove`): a LUN added to
# storage1 for this proof, seen by both hosts, then removed on the target while fio verifies I/O
# on host1's map of it. The role's next run must drop its paths from the report as gone (not a
# LUN without a path, which would make the host non operational), refuse to flush host1's map
# naming fio, delete host2's disks, left by hand without their map (orphans that read no capacity
# once rescanned), and leave every other LUN's paths as they were.
# With queueing turned off and fio ended, the next run flushes host1's map too. Control: before the removal both hosts
# have the new LUN's map with every path active, so its absence afterwards can be seen.
lun_unmapped() {  # proof
  local rc=0 s1 wwid number others_before others_after h orphans
  s1=$(state_json "['target']['targets'][0]['iqn']")
  wwid=$($lab lun add "$s1" --size-mb 64 | tail -1) || return 1
  number=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([l["lun"] for l in d["target"]["targets"][0]["luns"] if l["wwid"] == sys.argv[2]][0])' \
             "$(dirname "$($lab inventory)")/state.json" "$wwid") || return 1
  echo "storage1 LUN $number ($wwid) added; the hosts take it"
  play unmapped-add.log "$scenario/converge.yml" || rc=1
  for h in host1 host2; do
    if $judge show $h | grep "$wwid" | grep -vq ' NOT active'; then echo "control: $h has $wwid's paths active"
    else echo "control: $h does not have $wwid's paths active"; rc=1; fi
  done
  ((rc)) && { lun_unmapped_cleanup; return 1; }
  others_before=$(for h in host1 host2; do $judge show $h | grep -v "$wwid"; done)
  fio_start host1 "/dev/mapper/$wwid" "$logs/fio-unmapped.json" || { lun_unmapped_cleanup; return 1; }
  sleep 5
  $lab lun remove "$s1" "$number" || rc=1
  sleep 10
  # host2's map goes as an administrator's `multipath -f` takes it: its disks stay, orphans of no
  # map, which read as a LUN without a path until the run sees that they read no capacity.
  $lab ssh host2 -- "multipathd disablequeueing map $wwid >/dev/null; multipath -f $wwid" || rc=1
  orphans=$($lab ssh host2 -- "multipathd show paths raw format '%w %m'" | grep -c "^$wwid \[orphan\]")
  if [ "$orphans" = 2 ]; then echo "control: host2's map of $wwid flushed by hand, its 2 disks left as orphans"
  else echo "control: host2 has $orphans orphan disk(s) of $wwid, not 2"; rc=1; fi
  echo "the role runs while fio holds host1's map of the unmapped LUN"
  play unmapped-held.log "$scenario/converge.yml"
  refused_by_fio_map "$logs/unmapped-held.log" "$wwid" || rc=1
  if grep -q '^fatal: \[host2\]' "$logs/unmapped-held.log"; then echo "the run failed host2: $(grep -o 'Host host2 is non operational[^"]*' "$logs/unmapped-held.log" | head -1)"; rc=1
  else echo "host2 not failed over the orphan disks of a LUN that no longer exists"; fi
  # fio's I/O to the gone LUN queues for no_path_retry (80 s, docs/queueing.md), then fails. The
  # proof ends the wait as an administrator would (queueing off on that map): target-outage
  # proves the queueing's bound, and 80 s of waiting here proved nothing more.
  $lab ssh host1 -- multipathd disablequeueing map "$wwid" >/dev/null || rc=1
  fio_stop host1 "$logs/fio-unmapped.json" 60 || rc=1
  echo "fio on the unmapped LUN: $(fio_failed_with "$logs/fio-unmapped.json")"
  lun_unmapped_gone host2 "$wwid" || rc=1
  echo "the role runs with nothing holding the map"
  play unmapped-idle.log "$scenario/converge.yml" || rc=1
  for h in host1 host2; do lun_unmapped_gone $h "$wwid" || rc=1; done
  role_report "$logs/report-unmapped" || rc=1
  judge_reports "$logs/report-unmapped" host1 host2 || rc=1
  if grep -q "$wwid" "$logs"/report-unmapped/*.json; then echo "the report still names $wwid"; rc=1; fi
  others_after=$(for h in host1 host2; do $judge show $h | grep -v "$wwid"; done)
  if [ "$others_before" = "$others_after" ]; then echo "every other LUN's paths as before ($(grep -c . <<<"$others_after") paths)"
  else echo "other LUNs' paths changed:"; diff <(echo "$others_before") <(echo "$others_after"); rc=1; fi
  lun_unmapped_cleanup
  return $rc
}

# The run's output in LOG refuses to flush map WWID naming fio as its holder.
refused_by_fio_map() {
  if grep -q "$2.*held.*fio\|fio.*$2" "$1"; then echo "refused, naming the map and fio: $(grep -o "[^\"]*$2[^\"]*fio[^\"]*" "$1" | head -1)"
  else echo "no refusal naming map $2 and fio in the run's output ($1)"; return 1; fi
}

# HOST has no map, multipathd path or SCSI disk of WWID left.
lun_unmapped_gone() {
  local left
  left=$($lab ssh "$1" -- "multipathd show maps raw format %w; multipathd show paths raw format '%w %d'; ls -l /dev/disk/by-id/" | grep -c "$2")
  if [ "$left" = 0 ]; then echo "$1: nothing of $2 left (map, paths, disks)"
  else echo "$1: $left map/path/disk line(s) of $2 left"; return 1; fi
}

# Whatever the proof ended with: no fio, the LUN off the target, its devices off the hosts, converged.
lun_unmapped_cleanup() {
  $lab ssh host1 -- pkill -KILL -x fio </dev/null
  $lab lun remove "$s1" "$number" >/dev/null 2>&1
  for h in host1 host2; do
    $lab ssh $h -- "multipath -f $wwid >/dev/null 2>&1; for d in /sys/block/sd*; do
      [ \"\$(cat \$d/device/wwid 2>/dev/null)\" = naa.${wwid#3} ] && echo 1 > \$d/device/delete; done; true"
  done
  play unmapped-restore.log "$scenario/converge.yml"
}
