# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SessionRunner's writes on a host replayed from captured outputs: create, login, settle (the rescan
has its own tests, test__session_runner_rescan.py; the whole run, tests/unit/plugins/modules/test_iscsi_sessions.py)."""

from __future__ import annotations

import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils import _session_runner
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_record import write_record
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import Iscsiadm
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import key_of, normalize_sessions
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_runner import SessionRunner
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.fake_iscsiadm import (
    A, CONVERGED, FRESH, LAB_SESSIONS, SECRET, T1, T2, UNREACHABLE, FakeClock, FakeHost)

COMMON = {'node.startup': 'automatic', 'node.conn[0].timeo.login_timeout': 15, 'node.session.initial_login_retry_max': 1}
DESIRED = normalize_sessions(LAB_SESSIONS)
TIMED_OUT = 'login failed: initiator reported error (8 - connection timed out)'
AUTH_FAILED = 'login failed: initiator reported error (24 - iSCSI login failed due to authorization failure)'


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(_session_runner, 'time', fake)
    return fake


def runner(host, tmp_path, wait=60):
    return SessionRunner(host, Iscsiadm(host), record_file=str(tmp_path / 'record.json'), parallel_logins=4, wait=wait, devices=host,
                         scsi_hosts=host)


def planned(run):
    return run.plan(DESIRED, common_settings=COMMON, engine_owned=False, engine_targets=[T1, T2], host_nics=[])


def test_create_records_what_it_makes_before_making_it_then_ifaces_then_node_records(tmp_path):
    host = FakeHost(**FRESH, record_file=str(tmp_path / 'record.json'))
    run = runner(host, tmp_path)
    dummy, record, plan = planned(run)
    assert host.writes() == [] and record == {'ifaces': [], 'nodes': []}
    record = run.create(plan, record)
    writes = host.writes()
    assert writes[0].record == record
    assert record['ifaces'] == ['ens4', 'ens5'] and len(record['nodes']) == 4
    assert [w.kind for w in writes] == ['create iface', 'bind iface'] * 2 + ['create node'] * 4 + ['set node'] * 4
    assert writes[1].argv[1:] == ['-m', 'iface', '-I', 'ens4', '-o', 'update', '-n', 'iface.net_ifacename', '-v', 'ens4']
    chap = [w.argv for w in writes if w.kind == 'set node' and T2 in w.argv]
    assert len(chap) == 2 and all(['-n', 'node.session.auth.password', '-v', SECRET] == a[a.index('node.session.auth.password') - 1:][:4]
                                  for a in chap)
    assert run.changed


def test_a_converged_host_creates_nothing_and_writes_no_record(tmp_path):
    host = FakeHost(**CONVERGED, record_file=str(tmp_path / 'record.json'))
    run = runner(host, tmp_path)
    dummy, record, plan = planned(run)
    run.create(plan._replace(set_keys=[]), record)
    assert host.writes() == [] and not (tmp_path / 'record.json').exists() and not run.changed


CAPTURED_FOR = {  # each login case with the session the lab ran it for
    'login': (dict(A, target=T1), None),
    'login-session-exists': (dict(A, target=T1), None),
    'login-unreachable-portal': (UNREACHABLE, TIMED_OUT),
    'login-auth-failure': (dict(A, target=T2, username='labchap', password=SECRET), AUTH_FAILED),
}


@pytest.mark.parametrize('case', sorted(CAPTURED_FOR))
def test_a_login_fails_on_time_out_and_authorization_and_succeeds_on_session_exists(tmp_path, case):
    session, reason = CAPTURED_FOR[case]
    session = normalize_sessions([session])[0]
    host = FakeHost({}, logins={(session['target'], '%s:3260' % session['address'], session['iface']): case})
    run = runner(host, tmp_path)
    failed = run.login([session])
    assert failed == ({key_of(session): reason} if reason else {})
    assert run.changed is (reason is None), 'a login that failed changed nothing'
    # rc 15: the session is up (a second record of the portal logged in beside it); said, not hidden.
    assert [w for w in host.warnings if 'session exists' in w] == (
        ['logging in to %s at %s:3260 through %s, iscsiadm said "session exists" (rc 15): the session is up and kept; the host has '
         'another node record for the portal' % (session['target'], session['address'], session['iface'])]
        if case == 'login-session-exists' else [])
    assert [c.argv[1:] for c in host.calls] == [['-m', 'node', '-T', session['target'], '-p', '%s:3260,1' % session['address'],
                                                 '-I', session['iface'], '--login']]


def test_logins_run_together_and_only_the_failed_ones_are_reported(tmp_path):
    sessions = normalize_sessions(LAB_SESSIONS + [UNREACHABLE])
    host = FakeHost({}, logins={(T2, '198.18.1.1:3260', 'ens4'): 'login-auth-failure',
                                (T1, '198.18.9.1:3260', 'default'): 'login-unreachable-portal',
                                (T1, '198.18.2.1:3260', 'ens5'): 'login-session-exists'})
    failed = runner(host, tmp_path).login(sessions)
    assert failed == {key_of(sessions[2]): AUTH_FAILED, key_of(sessions[4]): TIMED_OUT}
    assert host.kinds() == ['login'] * 5


def test_settle_reads_once_when_every_path_is_up(tmp_path, clock):
    host = FakeHost(**CONVERGED)
    run = runner(host, tmp_path)
    sessions, luns = run.settle(DESIRED, {}, logged_in_now=True)
    assert (run.polls, clock.slept, run.still_coming) == (1, [], [])
    assert [lun['active_paths'] for lun in luns] == [2, 2, 2] and len(sessions) == 4


def test_settle_does_not_wait_for_a_failed_login(tmp_path, clock):
    desired = normalize_sessions(LAB_SESSIONS + [UNREACHABLE])
    run = runner(FakeHost(**CONVERGED), tmp_path)
    run.settle(desired, {key_of(desired[-1]): TIMED_OUT}, logged_in_now=True)
    assert (run.polls, clock.slept, run.still_coming) == (1, [], [])


def test_settle_polls_a_session_still_coming_until_the_wait_ends_and_names_it(tmp_path, clock):
    host = FakeHost({'session': 'session-tree-cut', 'paths': 'show-paths-raw-cut'})
    run = runner(host, tmp_path, wait=10)
    run.settle(DESIRED, {}, logged_in_now=True)
    assert run.polls == 6 and clock.slept == [2] * 5
    assert sorted((m['target'], m['iface'], m['reason']) for m in run.still_coming) == [
        (T1, 'ens5', 'session free'), (T2, 'ens5', 'session free')]
    assert host.writes() == [], 'failed paths are in their maps: no orphan to hand to multipathd'


def test_sessions_bound_to_the_old_device_are_taken_out_then_logged_in_again(tmp_path):
    # iscsi-a made a bridge network: ens4's sessions (captured bound to ens4) go out, their disks
    # out of the maps first, while ens5 carries every LUN; the logins then make them through the bridge.
    write_record(str(tmp_path / 'record.json'), {'ifaces': ['ens4', 'ens5'], 'nodes': []})  # the ifaces are the role's
    host = FakeHost(**CONVERGED, record_file=str(tmp_path / 'record.json'))
    run = runner(host, tmp_path)
    desired = normalize_sessions([dict(s, net_ifacename='on0123456789abc') if s['iface'] == 'ens4' else s for s in LAB_SESSIONS])
    dummy, record, plan = run.plan(desired, common_settings=COMMON, engine_owned=False, engine_targets=[T1, T2], host_nics=[])
    assert sorted((s['iface'], s['target']) for s in plan.relogins) == [('ens4', T1), ('ens4', T2)]
    run.create(plan._replace(set_keys=[]), record)
    relogins, kept = run.drain_rebound(plan)
    assert kept == [] and sorted(key_of(s) for s in relogins) == sorted(key_of(s) for s in desired if s['iface'] == 'ens4')
    kinds = [c.kind for c in host.calls if c.write]
    assert kinds[0] == 'bind iface' and kinds.count('logout') == 2 and kinds[-1] == 'logout'
    # Per session: its disks out of their maps and deleted, then its logout.
    steps = ' '.join(k.replace(' ', '_') for k in kinds[1:]).split('logout')[:-1]
    assert [sorted(set(step.split())) for step in steps] == [['delete_disk', 'multipathd_del_path']] * 2
