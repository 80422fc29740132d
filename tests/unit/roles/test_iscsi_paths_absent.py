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
