# An upgrade from the previous release (sourced by tests/host/proof, which defines lab, inv, logs,
# play, host_state, forget_all): host1 converged by 0.1.0, built from git history as users had it,
# then by this checkout. The new version must adopt what the old one made (nothing orphaned:
# its record lists every iface and node record on the host), keep the sessions (same SIDs), change
# node settings only where the two versions' settings differ, and a second run changes nothing.

# 0.1.0: galaxy.yml's version until 56ddd7f raised it; its last commit.
RELEASE_0_1_0=4389ec455efa5accd550cbe747338ad494c04264

# OUT: the release's tarball built from git history and installed into OUT/collections (offline).
old_release() {
  local out=$1
  rm -rf "$out"; mkdir -p "$out/src" "$out/collections"
  git -C "$top" cat-file -e "$RELEASE_0_1_0^{commit}" 2>/dev/null \
    || { echo "commit $RELEASE_0_1_0 (release 0.1.0) is not in this clone's history"; return 1; }
  git -C "$top" archive "$RELEASE_0_1_0" | tar -x -C "$out/src" || return 1
  ansible-galaxy collection build "$out/src" --output-path "$out" >"$out/build.log" 2>&1 || { tail "$out/build.log"; return 1; }
  ANSIBLE_COLLECTIONS_PATH=$out/collections unshare --net ansible-galaxy collection install --offline \
    -p "$out/collections" "$out"/ovirt_iscsi-multipath-0.1.0.tar.gz >"$out/install.log" 2>&1 || { tail "$out/install.log"; return 1; }
  grep -q '"version": "0.1.0"' "$out/collections/ansible_collections/ovirt_iscsi/multipath/MANIFEST.json" \
    || { echo "the installed collection is not 0.1.0"; return 1; }
}

# HOST's sessions with their SIDs, node records with their settings (the role's keys), and the record.
upgrade_snapshot() {
  $lab ssh "$1" -- 'iscsiadm -m session -P 1 | awk "/Target:/{t=\$2} /Current Portal:/{p=\$3} /Iface Name:/{i=\$3} /SID:/{print \"session\", p, t, i, \$2}" | sort
    iscsiadm -m node -P 1 | awk "/Target:/{t=\$2} /Portal:/{p=\$2} /Iface Name:/{print t, p, \$3}" | sort | while read -r t p i; do
      iscsiadm -m node -T "$t" -p "${p%,*}" -I "$i" | grep -E "^node\.(startup|session\.timeo\.replacement_timeout|conn\[0\]\.timeo\.(noop_out_interval|noop_out_timeout|login_timeout)|session\.initial_login_retry_max|session\.auth\.(authmethod|username)) " | sed "s|^|node $t $p $i |"
    done'
}

# The node settings each version's role asks for (its vars/main.yml over its defaults, and the
# login timeout and retries iscsi_sessions writes into each record): KEY=VALUE lines.
role_node_settings() {
  python3 - "$1" <<'PY'
import re, sys, yaml
root = sys.argv[1]
defaults = yaml.safe_load(open(root + '/roles/iscsi_paths/defaults/main.yml'))
settings = yaml.safe_load(open(root + '/roles/iscsi_paths/vars/main.yml'))['__iscsi_paths_iscsid_settings']
settings['node.conn[0].timeo.login_timeout'] = '{{ iscsi_paths_login_timeout }}'
settings['node.session.initial_login_retry_max'] = '{{ iscsi_paths_login_retries }}'
for key, value in sorted(settings.items()):
    print('%s=%s' % (key, re.sub(r'\{\{ *(\w+) *\}\}', lambda m: str(defaults[m.group(1)]), str(value))))
PY
}

upgrade() {  # proof
  local rc=0 old=$logs/release-0.1.0 before after again changed_keys allowed
  old_release "$old" || return 1
  echo "release 0.1.0 built from commit ${RELEASE_0_1_0:0:7} and installed ($(du -k "$old"/*.tar.gz | cut -f1) KiB)"
  forget_all host1 || { echo "host1 could not be emptied"; return 1; }
  ANSIBLE_COLLECTIONS_PATH=$old/collections play upgrade-old.log "$scenario/converge.yml" --limit host1 || return 1
  before=$(upgrade_snapshot host1) || return 1
  echo "host1 converged by 0.1.0: $(grep -c '^session' <<<"$before") sessions, $(cut -d' ' -f2-4 <<<"$(grep '^node' <<<"$before")" | sort -u | wc -l) node records"
  play upgrade-new.log "$scenario/converge.yml" --limit host1 --diff || rc=1
  after=$(upgrade_snapshot host1) || rc=1
  # The same sessions (no logout, no new login): every session line with its SID.
  if [ "$(grep '^session' <<<"$before")" = "$(grep '^session' <<<"$after")" ]; then
    echo "the new version kept 0.1.0's $(grep -c '^session' <<<"$after") sessions (same SIDs)"
  else echo "sessions changed by the upgrade:"; diff <(grep '^session' <<<"$before") <(grep '^session' <<<"$after"); rc=1; fi
  # Node settings changed only where the versions' settings differ, and there to the new value.
  allowed=$(comm -13 <(role_node_settings "$old/src" | sort) <(role_node_settings "$top" | sort))
  changed_keys=$(diff <(grep '^node' <<<"$before") <(grep '^node' <<<"$after") | sed -n 's/^> node [^ ]* [^ ]* [^ ]* \([^ ]*\) = \(.*\)$/\1=\2/p' | sort -u)
  if [ -n "$(comm -23 <(echo "$changed_keys" | grep .) <(echo "$allowed" | grep .))" ]; then
    echo "node settings changed where the two versions agree: $(comm -23 <(echo "$changed_keys" | grep .) <(echo "$allowed" | grep .) | tr '\n' ' ')"; rc=1
  elif [ "$(echo "$changed_keys" | grep -c .)" != "$(echo "$allowed" | grep -c .)" ]; then
    echo "settings the new version changed ($changed_keys) are not all it asks for anew ($allowed)"; rc=1
  else
    echo "node settings changed only where the versions differ: ${allowed:-none differ, none changed}"
  fi
  # Nothing orphaned: the new version's record (where its defaults keep it) lists every iface and
  # node record on host1.
  record=$($lab ssh host1 -- "python3 -c 'import json; r = json.load(open(\"$(role_default state_file)\")); print(\" \".join(sorted(r[\"ifaces\"])), len(r[\"nodes\"]))'") || rc=1
  made="$($lab ssh host1 -- "iscsiadm -m iface | awk '/^ens/{print \$1}' | sort | tr '\n' ' '" | sed 's/ $//') $(cut -d' ' -f2-4 <<<"$(grep '^node' <<<"$after")" | sort -u | grep -c .)"
  if [ "$record" = "$made" ]; then echo "nothing orphaned: the new record lists every iface and node record ($record)"
  else echo "the new record ($record) does not list what is on host1 ($made)"; rc=1; fi
  play upgrade-again.log "$scenario/converge.yml" --limit host1 || rc=1
  again=$(upgrade_snapshot host1) || rc=1
  grep -q 'host1 *: ok=[0-9]* *changed=0 ' "$logs/upgrade-again.log" && [ "$again" = "$after" ] \
    && echo "a second run of the new version changes nothing" || { echo "the second run of the new version changed host1"; rc=1; }
  return $rc
}
