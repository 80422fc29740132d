# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Role iscsi_paths refuses bad input before anything changes on the host (as linux-system-roles'
tests_invalid_input.yml): the role runs with ansible-playbook against this machine (local
connection), and each case must fail in the role's first tasks (its argument spec, then its input
check), naming the input, with no task of the role's after them started and nothing changed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

T1 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage1'
GOOD_SESSION = {'iface': 'ens4', 'net_ifacename': 'ens4', 'network': 'iscsi-a', 'subnet': '198.18.1.0/24',
                'address': '198.18.1.1', 'target': T1}
SECRET = 'invalid-input-chap-secret-0815'
CHECK_TASK = 'Check every input before anything changes on the host'
SPEC_TASK = 'Validating arguments against arg spec'

CASES = [
    ('no target', {'iscsi_paths_sessions': [dict(GOOD_SESSION, target='')]}, CHECK_TASK, 'sessions[0] has no target'),
    ('bad portal', {'iscsi_paths_sessions': [dict(GOOD_SESSION, address='198.18.1.1:notaport')]}, CHECK_TASK,
     "sessions[0]: '198.18.1.1:notaport' is not a portal address"),
    ('CHAP user without secret', {'iscsi_paths_sessions': [dict(GOOD_SESSION, username='labchap')]}, CHECK_TASK,
     'CHAP needs both username and password'),
    ('iface without device', {'iscsi_paths_sessions': [dict(GOOD_SESSION, net_ifacename=None)]}, CHECK_TASK,
     'iface ens4 needs the device it binds to (net_ifacename)'),
    ('both forms', {'iscsi_paths_sessions': [GOOD_SESSION],
                    'iscsi_paths_targets': [{'iqn': T1, 'portals': ['198.18.1.1']}]}, CHECK_TASK,
     'give either iscsi_paths_sessions or iscsi_paths_networks and iscsi_paths_targets, not both'),
    ('bad IQN', {'iscsi_paths_sessions': None, 'iscsi_paths_targets': [{'iqn': 'storage1', 'portals': ['198.18.1.1']}]},
     CHECK_TASK, "iscsi_paths_targets: 'storage1' is not an iSCSI name"),
    ('bad subnet', {'iscsi_paths_sessions': None, 'iscsi_paths_targets': [{'iqn': T1, 'portals': ['198.18.1.1']}],
                    'iscsi_paths_networks': [{'name': 'iscsi-a', 'nic': 'ens4', 'subnet': '198.18.1.0'}]},
     CHECK_TASK, "network iscsi-a: subnet '198.18.1.0' is not like 198.18.1.0/24"),
    ('login timeout 0', {'iscsi_paths_sessions': [GOOD_SESSION], 'iscsi_paths_login_timeout': 0}, CHECK_TASK,
     'iscsi_paths_login_timeout must be a whole number of at least 1 (got 0)'),
    ('no parallel logins', {'iscsi_paths_sessions': [GOOD_SESSION], 'iscsi_paths_parallel_logins': 0}, CHECK_TASK,
     'iscsi_paths_parallel_logins must be a whole number of at least 1 (got 0)'),
    ('negative lock timeout', {'iscsi_paths_sessions': [GOOD_SESSION], 'iscsi_paths_lock_timeout': -1}, CHECK_TASK,
     'iscsi_paths_lock_timeout must be a whole number of at least 0 (got -1)'),
    ('unknown ownership', {'iscsi_paths_sessions': [GOOD_SESSION], 'iscsi_paths_ownership': 'everything'}, SPEC_TASK,
     'iscsi_paths_ownership'),
    ('login timeout not a number', {'iscsi_paths_sessions': [GOOD_SESSION], 'iscsi_paths_login_timeout': 'soon'}, SPEC_TASK,
     'iscsi_paths_login_timeout'),
]


def run_role(tmp_path, variables, *args):
    playbook = tmp_path / 'play.yml'
    playbook.write_text(json.dumps([{'name': 'The role with bad input', 'hosts': 'target', 'gather_facts': False,
                                     'roles': [{'role': 'ovirt_iscsi.multipath.iscsi_paths'}]}]))
    inventory = tmp_path / 'inventory.json'
    inventory.write_text(json.dumps({'all': {'hosts': {'target': {
        'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}}))
    # Verify-only and no package installs, should a check ever let bad input through: on this
    # machine the role may then read, never write.
    (tmp_path / 'vars.json').write_text(json.dumps(dict({'iscsi_paths_verify_only': True}, **variables, iscsi_paths_install_packages=False)))
    proc = subprocess.run(['ansible-playbook', '-i', str(inventory), '-e', '@%s' % (tmp_path / 'vars.json'), str(playbook)] + list(args),
                          env=dict(os.environ, ANSIBLE_NOCOLOR='1'), capture_output=True, text=True, check=False, timeout=180)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize('variables, task, message', [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_bad_input_is_refused_in_the_first_tasks_naming_it(tmp_path, variables, task, message):
    rc, out = run_role(tmp_path, variables)
    tasks = re.findall(r'^TASK \[([^\]]*)\]', out, re.M)
    failed = re.findall(r'^fatal: \[target\]: FAILED! => (.*)$', out, re.M)
    assert rc == 2 and len(failed) == 1, 'expected one failed task, rc 2; got rc %d\n%s' % (rc, out)
    assert message in failed[0], 'the failure does not name the input (%s)\n%s' % (message, out)
    # Nothing of the role's ran after the check: no configuration, no session, no change.
    assert tasks and task in tasks[-1], 'the run failed in %s, not in %r\n%s' % (tasks[-1:], task, out)
    assert all(SPEC_TASK in name or CHECK_TASK in name for name in tasks), 'tasks ran before the refusal: %s' % tasks
    assert re.search(r'target\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=1', out), out


def test_a_refusal_shows_no_secret_of_the_other_entries_even_at_vvv(tmp_path):
    secret_session = dict(GOOD_SESSION, username='labchap', password=SECRET)
    rc, out = run_role(tmp_path, {'iscsi_paths_sessions': [secret_session, dict(GOOD_SESSION, target='')]}, '-vvv')
    assert rc == 2 and 'sessions[1] has no target' in out, out
    assert SECRET not in out
