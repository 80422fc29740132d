# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Role iscsi_paths with iscsi_paths_state absent (a host leaving for good), and the playbook
disconnect_host that runs it: the order of its calls, and what it refuses before anything changes
(run with ansible-playbook on this machine, local connection, as test_iscsi_paths_invalid_input)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import yaml

from ansible_collections.ovirt_iscsi.multipath.tests.unit.roles.test_iscsi_paths_invalid_input import SPEC_TASK, run_role

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..')
ROLE = os.path.join(TOP, 'roles', 'iscsi_paths')


def load(*parts):
    with open(os.path.join(TOP, *parts), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def test_sessions_leave_before_the_files_and_a_refusal_stops_the_run_before_them():
    tasks = load('roles', 'iscsi_paths', 'tasks', 'absent.yml')
    modules = [(i, name, task[name]) for i, task in enumerate(tasks) for name in task if name.startswith('ovirt_iscsi.multipath.')]
    assert [(name, args['state']) for dummy, name, args in modules] == [
        ('ovirt_iscsi.multipath.iscsi_sessions', 'absent'), ('ovirt_iscsi.multipath.iscsi_host_config', 'absent')]
    fail = next(i for i, task in enumerate(tasks) if 'ansible.builtin.fail' in task)
    assert modules[0][0] < fail < modules[1][0]
    assert tasks[fail]['when'] == "iscsi_paths_report.state != 'removed'"
    # Both modules are told the same record and lock timeout as a converge.
    for dummy, name, args in modules:
        assert args['record_file'] == '{{ iscsi_paths_state_file }}' and args['lock_timeout'] == '{{ iscsi_paths_lock_timeout }}'


def test_the_role_converges_only_when_present_and_removes_only_when_absent():
    main = load('roles', 'iscsi_paths', 'tasks', 'main.yml')
    include = next(t for t in main if t.get('ansible.builtin.include_tasks') == 'absent.yml')
    block = next(t for t in main if 'block' in t)
    assert include['when'] == "iscsi_paths_state == 'absent'" and block['when'] == "iscsi_paths_state == 'present'"
    assert main.index(block) < main.index(include), 'a converge starts with its input check'


def test_disconnect_host_runs_the_role_absent_on_disconnect_host_hosts():
    plays = load('playbooks', 'disconnect_host.yml')
    host_play = plays[-1]
    assert host_play['hosts'] == "{{ disconnect_host_hosts | default('all') }}"
    assert host_play['roles'] == [{'role': 'ovirt_iscsi.multipath.iscsi_paths', 'vars': {'iscsi_paths_state': 'absent'}}]


def test_removing_and_only_verifying_at_once_is_refused_before_anything_runs(tmp_path):
    rc, out = run_role(tmp_path, {'iscsi_paths_state': 'absent'})  # run_role sets iscsi_paths_verify_only
    tasks = re.findall(r'^TASK \[([^\]]*)\]', out, re.M)
    assert rc == 2 and 'iscsi_paths_state absent removes, iscsi_paths_verify_only changes nothing' in out, out
    assert 'Refuse to remove and only verify' in tasks[-1] and not [t for t in tasks if 'Log out' in t], tasks
    assert re.search(r'target\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=1', out), out


def test_an_unknown_state_is_refused_by_the_argument_spec(tmp_path):
    rc, out = run_role(tmp_path, {'iscsi_paths_state': 'gone'})
    assert rc == 2 and 'iscsi_paths_state' in re.findall(r'^fatal: .*$', out, re.M)[0], out
    assert SPEC_TASK in re.findall(r'^TASK \[([^\]]*)\]', out, re.M)[-1]


def test_disconnect_host_refuses_a_pattern_that_names_no_host(tmp_path):
    inventory = tmp_path / 'inventory.json'
    inventory.write_text(json.dumps({'all': {'hosts': {'host1': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}}))
    proc = subprocess.run(['ansible-playbook', '-i', str(inventory), os.path.join(TOP, 'playbooks', 'disconnect_host.yml'),
                           '-e', 'disconnect_host_hosts=host9', '-e', 'disconnect_host_data_center=Default'],
                          env=dict(os.environ, ANSIBLE_NOCOLOR='1'), capture_output=True, text=True, check=False, timeout=180)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2 and 'no inventory host matches host9 (data center Default)' in out, out
    assert 'host1' not in re.findall(r'^(\S+)\s+: ok=', out, re.M)


FIXTURES = os.path.join(TOP, 'tests', 'unit', 'plugins', 'module_utils', 'fixtures')
T1 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage1'
# Stand-ins for the host's tools: iscsiadm answers host1's captured ifaces, node records and
# sessions (storage1 and storage2 through ens4 and ens5) and logs every call; multipathd its paths.
FAKE_ISCSIADM = '''#!/bin/sh
echo "$*" >> "%(log)s"
case "$*" in
  "-m iface") cat "%(fixtures)s/iscsiadm/iface-list.txt" ;;
  "-m node -P 1") cat "%(fixtures)s/iscsiadm/node-tree.txt" ;;
  "-m session -P 3") cat "%(fixtures)s/iscsiadm/session-tree%(cut)s.txt" ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
'''
FAKE_MULTIPATHD = '''#!/bin/sh
case "$*" in
  "show paths raw format"*) cat "%(fixtures)s/multipathd/show-paths-raw%(cut)s.txt" ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
'''
FAKE_SYSTEMCTL = '''#!/bin/sh
echo "$*" >> "%(log)s"
case "$1" in is-active) echo inactive; exit 3 ;; esac
'''


def run_absent_role(tmp_path, record, *args, cut=False):
    """The role with iscsi_paths_state absent on this machine, every host path it writes under
    tmp_path (module_defaults) and the tools stood in for (``cut``: host1 with iscsi-b cut, as
    captured); returns (rc, output, iscsiadm calls, systemctl calls)."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    values = {'log': str(tmp_path / 'iscsiadm.log'), 'fixtures': FIXTURES, 'cut': '-cut' if cut else ''}
    for name, text in (('iscsiadm', FAKE_ISCSIADM), ('multipathd', FAKE_MULTIPATHD), ('multipath', FAKE_MULTIPATHD),
                       ('systemctl', FAKE_SYSTEMCTL % dict(values, log=str(tmp_path / 'systemctl.log')))):
        (bin_dir / name).write_text(text % values)
        (bin_dir / name).chmod(0o755)
    (tmp_path / 'iscsid.conf').write_text('node.startup = manual\n# BEGIN ovirt_iscsi.multipath.iscsi_paths: fast failover\n'
                                          'node.session.timeo.replacement_timeout = 1\n# END ovirt_iscsi.multipath.iscsi_paths: fast failover\n')
    (tmp_path / 'multipath.conf').write_text('# Written by ovirt_iscsi.multipath.iscsi_paths on a host where VDSM does not own this file.\n')
    (tmp_path / 'record.json').write_text(json.dumps(record))
    paths = {'lock_file': str(tmp_path / 'lock'), 'record_file': str(tmp_path / 'record.json')}
    playbook = tmp_path / 'play.yml'
    playbook.write_text(json.dumps([{
        'name': 'A host leaving for good', 'hosts': 'target', 'gather_facts': False,
        'module_defaults': {'ovirt_iscsi.multipath.iscsi_sessions': paths,
                            'ovirt_iscsi.multipath.iscsi_host_config': dict(paths, iscsid_conf=str(tmp_path / 'iscsid.conf'),
                                                                            multipath_conf=str(tmp_path / 'multipath.conf'),
                                                                            multipath_dropin=str(tmp_path / 'dropin.conf'))},
        'roles': [{'role': 'ovirt_iscsi.multipath.iscsi_paths', 'vars': {'iscsi_paths_state': 'absent',
                                                                         'iscsi_paths_state_file': str(tmp_path / 'record.json')}}],
        'post_tasks': [{'name': 'Keep the report', 'check_mode': False, 'ansible.builtin.copy': {
            'content': '{{ iscsi_paths_report | to_json }}', 'dest': str(tmp_path / 'report.json'), 'mode': '0600'}}]}]))
    inventory = tmp_path / 'inventory.json'
    inventory.write_text(json.dumps({'all': {'hosts': {'target': {
        'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}}))
    proc = subprocess.run(['ansible-playbook', '-i', str(inventory), str(playbook)] + list(args),
                          env=dict(os.environ, ANSIBLE_NOCOLOR='1', PATH='%s:%s' % (bin_dir, os.environ['PATH'])),
                          capture_output=True, text=True, check=False, timeout=180)
    logged = [(tmp_path / name) for name in ('iscsiadm.log', 'systemctl.log')]
    return (proc.returncode, proc.stdout + proc.stderr) + tuple(p.read_text().splitlines() if p.exists() else [] for p in logged)


def test_check_mode_through_the_role_predicts_the_removal_and_writes_nothing(tmp_path):
    """The record lists storage1's two node records and the iface ens5; storage2 through ens4 and
    ens5 is VDSM's. Check mode only: a run would delete this machine's disks of those names."""
    nodes = [{'target': T1, 'portal': '198.18.1.1:3260', 'iface': 'ens4'}, {'target': T1, 'portal': '198.18.2.1:3260', 'iface': 'ens5'}]
    rc, out, calls, systemctl = run_absent_role(tmp_path, {'ifaces': ['ens5'], 'nodes': nodes}, '--check')
    assert rc == 0, out
    assert 'would remove: 2 session(s), 0 node record(s)' not in out and 'would remove: 2 session(s), 2 node record(s)' in out, out
    assert ('left as they were: 2 session(s), 2 node record(s), ifaces ens4, ens6 that this collection did not make; '
            'kept, as what stays uses them: ifaces ens5') in out, out
    assert calls == ['-m iface', '-m node -P 1', '-m session -P 3'] and systemctl == [], (calls, systemctl)
    report = json.loads((tmp_path / 'report.json').read_text())
    assert report['check_mode'] and report['state'] == 'removed'
    # ens5 stays in the record (VDSM's storage2 session uses it), so the record stays too.
    assert report['removed']['files'] == [str(tmp_path / 'iscsid.conf'), str(tmp_path / 'multipath.conf')]
    assert (tmp_path / 'record.json').exists() and 'BEGIN ovirt_iscsi' in (tmp_path / 'iscsid.conf').read_text()


def test_check_mode_through_the_role_counts_the_record_that_goes_with_the_files(tmp_path):
    nodes = [{'target': T1, 'portal': '198.18.1.1:3260', 'iface': 'ens4'}]
    record = {'ifaces': [], 'nodes': nodes, 'files': {str(tmp_path / 'multipath.conf'): {'kind': 'file', 'before': None}}}
    rc, out, calls, systemctl = run_absent_role(tmp_path, record, '--check')
    assert rc == 0, out
    report = json.loads((tmp_path / 'report.json').read_text())
    assert report['removed']['files'] == [str(tmp_path / 'iscsid.conf'), str(tmp_path / 'multipath.conf'), str(tmp_path / 'record.json')]
    assert json.loads((tmp_path / 'record.json').read_text()) == record


def test_a_host_whose_record_lists_no_session_loses_only_the_collections_files_and_record(tmp_path):
    rc, out, calls, systemctl = run_absent_role(tmp_path, {'ifaces': [], 'nodes': [], 'files': {
        str(tmp_path / 'multipath.conf'): {'kind': 'file', 'before': None}}})
    assert rc == 0, out
    assert calls == ['-m iface', '-m node -P 1', '-m session -P 3'], 'no iscsiadm write: %s' % calls
    assert (tmp_path / 'iscsid.conf').read_text() == 'node.startup = manual\n'
    assert not (tmp_path / 'multipath.conf').exists() and not (tmp_path / 'record.json').exists()
    assert systemctl == ['try-restart iscsid', 'is-active multipathd'], 'services only restarted when they run: %s' % systemctl
    report = json.loads((tmp_path / 'report.json').read_text())
    assert report['removed'] == {'sessions': [], 'node_records': [], 'ifaces': [], 'sysctls': [],
                                 'files': [str(tmp_path / 'iscsid.conf'), str(tmp_path / 'multipath.conf'), str(tmp_path / 'record.json')]}
    assert len(report['untouched']['sessions']) == 4 and report['untouched']['ifaces'] == ['ens4', 'ens5', 'ens6']


def test_a_session_that_is_a_luns_last_active_path_fails_the_host_naming_it_and_nothing_after_runs(tmp_path):
    """iscsi-b cut on host1 (captured): storage1's ens5 session, VDSM's, is in recovery, so the
    collection's ens4 session is the last active path of storage1's LUNs (check mode: see above)."""
    nodes = [{'target': T1, 'portal': '198.18.1.1:3260', 'iface': 'ens4'}]
    rc, out, calls, systemctl = run_absent_role(tmp_path, {'ifaces': [], 'nodes': nodes}, '--check', cut=True)
    failed = re.findall(r'^fatal: \[target\]: FAILED! => (.*)$', out, re.M)
    assert rc == 2 and len(failed) == 1, out
    assert ('Host target did not leave: kept: the last active path of 360000000000000000e00000000010001, '
            '360000000000000000e00000000010002. Removed meanwhile: 0 session(s)') in failed[0], failed[0]
    assert 'Remove the iscsid.conf block' not in out and systemctl == [], 'the files stay with what stays'
