# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iscsi_sessions' run(), end to end on a host replayed from captured outputs (fake_iscsiadm):
the order of its writes, check mode, and failed logins in its result."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils import _session_runner
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import normalize_sessions, record_entry
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._shared_subnet import SharedSubnetSettings
from ansible_collections.ovirt_iscsi.multipath.plugins.modules import iscsi_sessions
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.fake_iscsiadm import (
    CONVERGED, FRESH, LAB_SESSIONS, SECRET, T1, T2, UNREACHABLE, FakeClock, FakeHost)

TIMED_OUT = 'login failed: initiator reported error (8 - connection timed out)'
AUTH_FAILED = 'login failed: initiator reported error (24 - iSCSI login failed due to authorization failure)'
CREATES = ('create iface', 'bind iface', 'create node', 'set node')
REMOVALS = ('multipathd del path', 'delete disk', 'logout', 'delete node', 'delete iface')
# The fresh host's logins that fail leave it as it was: no session to read after them.
FRESH_NO_LOGIN = dict(reads=FRESH['reads'], after=dict((k, v) for k, v in FRESH['after'].items() if k != 'login'))
# host1 as captured, storage2's ens5 session no longer wanted, a portal nothing answers on wanted.
# The reads after the removals answer the trees captured before them (the lab captured none
# without storage2's ens5 record), so the record a moved run ends with is not judged here.
MOVED = LAB_SESSIONS[:3] + [UNREACHABLE]
NOTHING_ANSWERS = {(T1, '198.18.9.1:3260', 'default'): 'login-unreachable-portal'}


@pytest.fixture
def record_file(tmp_path, monkeypatch):
    """The record's path; the runner's clock, sysctls, block devices and SCSI hosts made fakes."""
    monkeypatch.setattr(_session_runner, 'time', FakeClock())
    monkeypatch.setattr(_session_runner, 'SharedSubnetSettings',
                        lambda: SharedSubnetSettings(proc_conf=str(tmp_path / 'conf'), sysctl_file=str(tmp_path / 'sysctl.conf')))
    return str(tmp_path / 'record.json')


def run(host, sessions, monkeypatch, check_mode=False):
    """iscsi_sessions.run with ``host`` as the AnsibleModule (params through the module's own spec)."""
    monkeypatch.setattr(_session_runner, 'BlockDevices', lambda: host)
    monkeypatch.setattr(_session_runner, 'ScsiHosts', lambda: host)
    monkeypatch.setattr(_session_runner, 'DiskIdentity', lambda: host)
    validated = ArgumentSpecValidator(iscsi_sessions.ARGUMENT_SPEC).validate(dict(
        sessions=sessions, record_file=host.record_file, lock_file=host.record_file + '.lock', ownership='role'))
    assert not validated.error_messages
    host.params, host.check_mode, host._diff = validated.validated_parameters, check_mode, True
    result = iscsi_sessions.run(host)
    assert SECRET not in json.dumps(result), 'the CHAP secret is never returned'
    return result


def owning_all_four(record_file):
    record = {'ifaces': ['ens4', 'ens5'], 'nodes': [record_entry(s) for s in normalize_sessions(LAB_SESSIONS)]}
    with open(record_file, 'w', encoding='utf-8') as handle:
        json.dump(record, handle)
    return record


def test_a_fresh_host_is_recorded_then_given_ifaces_then_node_records_then_logins(record_file, monkeypatch):
    host = FakeHost(**FRESH, record_file=record_file)
    result = run(host, LAB_SESSIONS, monkeypatch)
    assert result['changed'] and result['state'] == 'operational' and result['report']['missing'] == []
    writes = host.writes()
    assert writes[0].record == result['record'], 'the record lists everything before the first thing is made'
    assert result['record']['ifaces'] == ['ens4', 'ens5'] and len(result['record']['nodes']) == 4
    phases = [('create iface', 'bind iface'), ('create node', 'set node'), ('login',)]
    assert [next(i for i, p in enumerate(phases) if w.kind in p) for w in writes] == [0] * 4 + [1] * 8 + [2] * 4


def test_a_moved_session_is_logged_out_last_after_the_new_one_was_tried(record_file, monkeypatch):
    owning_all_four(record_file)
    host = FakeHost(**CONVERGED, logins=NOTHING_ANSWERS, record_file=record_file)
    result = run(host, MOVED, monkeypatch)
    kinds = [w.kind for w in host.writes()]
    assert host.last(*CREATES) < host.first('login') and host.last('login', 'scan host') < host.first(*REMOVALS)
    tail = [(w.kind, w.argv[-1]) for w in host.writes()[-4:]]
    assert tail == [('multipathd del path', 'sdf'), ('delete disk', 'sdf'), ('logout', '-u'), ('delete node', 'delete')]
    assert host.writes()[-2].argv[1:] == ['-m', 'session', '-r', '5', '-u'] and T2 in host.writes()[-1].argv
    assert kinds.count('login') == 1 and sorted(a.argv[-1] for a in host.calls if a.kind == 'scan host') == ['host2', 'host3', 'host4']
    report = result['report']
    assert result['changed'] and result['state'] == 'degraded'
    assert [(m['iface'], m['reason']) for m in report['missing']] == [('default', TIMED_OUT)]
    assert report['leaving']['nodes'] == [{'target': T2, 'portal': '198.18.2.1:3260', 'iface': 'ens5'}]


@pytest.mark.parametrize('scenario', ['fresh', 'moved'])
def test_check_mode_writes_nothing(record_file, monkeypatch, scenario):
    if scenario == 'fresh':
        host, sessions, before = FakeHost(**FRESH, record_file=record_file), LAB_SESSIONS, None
    else:
        host, sessions, before = FakeHost(**CONVERGED, logins=NOTHING_ANSWERS, record_file=record_file), MOVED, owning_all_four(record_file)
    result = run(host, sessions, monkeypatch, check_mode=True)
    assert host.writes() == [] and host.calls
    assert host._record_on_disk() == before
    assert result['changed'] and result['diff']['before'] != result['diff']['after']
    would = [(w['target'], w['iface']) for w in result['report']['would_create']]
    assert would == ([(s['target'], s['iface']) for s in LAB_SESSIONS] if scenario == 'fresh' else [(T1, 'default')])


@pytest.mark.parametrize('case, sessions, reason', [
    ('login-unreachable-portal', [UNREACHABLE], TIMED_OUT),
    ('login-auth-failure', LAB_SESSIONS[2:3], AUTH_FAILED),
])
def test_a_host_whose_only_login_failed_is_non_operational_and_names_the_reason(record_file, monkeypatch, case, sessions, reason):
    session = normalize_sessions(sessions)[0]
    host = FakeHost(**FRESH_NO_LOGIN, logins={(session['target'], '%s:3260' % session['address'], session['iface']): case},
                    record_file=record_file)
    result = run(host, sessions, monkeypatch)
    report = result['report']
    assert result['state'] == 'non operational' and report['targets_without_luns'] == [session['target'].lower()]
    assert [(m['target'], m['iface'], m['reason']) for m in report['missing']] == [(session['target'], session['iface'], reason)]


# host1 with iscsi-b cut as captured: the ens5 sessions are in recovery (FREE), so the plan logs
# them in again, and iscsiadm answers that they exist (rc 15).
CUT = dict(reads=dict(CONVERGED['reads'], session='session-tree-cut', paths='show-paths-raw-cut'), records=CONVERGED['records'])


@pytest.mark.parametrize('scenario', ['fresh', 'cut'])
def test_a_login_answered_session_exists_is_no_failure(record_file, monkeypatch, scenario):
    if scenario == 'fresh':
        host = FakeHost(**FRESH, logins={(T1, '198.18.1.1:3260', 'ens4'): 'login-session-exists'}, record_file=record_file)
    else:
        host = FakeHost(**CUT, logins=dict(((t, '198.18.2.1:3260', 'ens5'), 'login-session-exists') for t in (T1, T2)),
                        record_file=record_file)
    result = run(host, LAB_SESSIONS, monkeypatch)
    report = result['report']
    assert 'login failed' not in json.dumps(report)
    assert host.kinds().count('login') == (4 if scenario == 'fresh' else 2)
    if scenario == 'fresh':
        assert result['state'] == 'operational' and report['missing'] == []
    else:  # named by the state of their session, and waited for while they might still come back
        expected = [(T1, 'ens5', 'session free'), (T2, 'ens5', 'session free')]
        assert result['state'] == 'degraded'
        assert sorted((m['target'], m['iface'], m['reason']) for m in report['missing']) == expected
        assert sorted((m['target'], m['iface'], m['reason']) for m in report['still_coming']) == expected
