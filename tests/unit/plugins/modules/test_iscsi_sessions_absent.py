# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iscsi_sessions state=absent (a host leaving for good), end to end on host1 replayed from the
lab's captured outputs (fake_iscsiadm): the order of its writes, what it leaves to VDSM, the
refusal while a map is held open, and check mode."""

from __future__ import annotations

import json
import os

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils import _leave, _session_runner
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import PlanError, normalize_sessions, record_entry
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._shared_subnet import SharedSubnetSettings, render_file
from ansible_collections.ovirt_iscsi.multipath.plugins.modules import iscsi_sessions
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.fake_iscsiadm import (
    CONVERGED, LAB_SESSIONS, T1, T2, Call, FakeClock, FakeHost)

W1 = '360000000000000000e00000000010001'
W2 = '360000000000000000e00000000010002'
W3 = '360000000000000000e00000000020001'
# host1 as captured (storage1 and storage2 through ens4 and ens5, ens6 an iface of nobody's
# sessions); once logged out and deleted, the lab's captures of an empty host.
LEAVING = dict(reads=CONVERGED['reads'], records=CONVERGED['records'],
               after={'logout': {'session': 'session-tree-empty'}, 'delete node': {'node': 'node-tree-empty'},
                      'delete iface': {'iface': 'iface-list-default'}})
# Only what VDSM made stays: every read answers the captured host, storage2's sessions still there.
WITH_VDSM = dict(reads=CONVERGED['reads'], records=CONVERGED['records'])
REMOVALS = ('multipath -f', 'multipathd del path', 'delete disk', 'logout', 'delete node', 'delete iface', 'sysctl file')
# What the shared-subnet settings had before a run set them (kept in the file) and what they are now.
BEFORE = {('ens4', 'arp_ignore'): '0', ('ens4', 'arp_announce'): '0', ('ens4', 'rp_filter'): '1',
          ('ens5', 'arp_ignore'): '0', ('ens5', 'arp_announce'): '0', ('ens5', 'rp_filter'): '1'}
SET = {('ens4', 'arp_ignore'): '1', ('ens4', 'arp_announce'): '2', ('ens4', 'rp_filter'): '2',
       ('ens5', 'arp_ignore'): '1', ('ens5', 'arp_announce'): '2', ('ens5', 'rp_filter'): '2'}


class HeldHost(FakeHost):
    """host1 with fio holding storage2's map open (what the lab's target-leaving proof does)."""

    def holders(self, kernel_name):
        return ['open by fio (pid 4242)'] if kernel_name == 'dm-' + W3 else []


class LoggedSysctls(SharedSubnetSettings):
    """The sysctl.d file and /proc/sys under tmp_path; writing the file is a call on the host's log."""

    def __init__(self, host, tmp_path):
        super().__init__(proc_conf=str(tmp_path / 'conf'), sysctl_file=str(tmp_path / 'sysctl.d' / '90-shared.conf'))
        self.host = host

    def _write_file(self, content):
        self.host.calls.append(Call('sysctl file', ['sysctl.d', 'written' if content else 'removed'], self.host._record_on_disk()))
        super()._write_file(content)


@pytest.fixture
def tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(_session_runner, 'time', FakeClock())
    for (nic, key), value in SET.items():
        os.makedirs(tmp_path / 'conf' / nic, exist_ok=True)
        (tmp_path / 'conf' / nic / key).write_text(value)
    os.makedirs(tmp_path / 'sysctl.d')
    (tmp_path / 'sysctl.d' / '90-shared.conf').write_text(render_file(SET, BEFORE))
    return tmp_path


def record(tmp_path, sessions=None, ifaces=('ens4', 'ens5')):
    """The ownership record: ``sessions`` (default, all four of the lab's) and ``ifaces``."""
    sessions = LAB_SESSIONS if sessions is None else sessions
    written = {'ifaces': list(ifaces), 'nodes': [record_entry(s) for s in normalize_sessions(sessions)]}
    (tmp_path / 'record.json').write_text(json.dumps(written))
    return written


def run(host, tmp_path, monkeypatch, check_mode=False, **params):
    monkeypatch.setattr(_session_runner, 'BlockDevices', lambda: host)
    monkeypatch.setattr(_session_runner, 'DiskIdentity', lambda: host)
    monkeypatch.setattr(_leave, 'SharedSubnetSettings', lambda: LoggedSysctls(host, tmp_path))
    validated = ArgumentSpecValidator(iscsi_sessions.ARGUMENT_SPEC).validate(dict(
        dict(state='absent', record_file=host.record_file, lock_file=str(tmp_path / 'lock')), **params))
    assert not validated.error_messages
    host.params, host.check_mode, host._diff = validated.validated_parameters, check_mode, True
    return iscsi_sessions.run(host)


def live(tmp_path):
    return dict(((nic, key), (tmp_path / 'conf' / nic / key).read_text()) for nic, key in SET)


def test_everything_the_record_lists_leaves_logouts_then_node_records_then_ifaces_then_files_and_the_record_last(tmp, monkeypatch):
    record(tmp)
    host = FakeHost(**LEAVING, record_file=str(tmp / 'record.json'))
    result = run(host, tmp, monkeypatch)
    kinds = [w.kind for w in host.writes()]
    phases = [('multipath -f', 'delete disk'), ('logout',), ('delete node',), ('delete iface',), ('sysctl file',)]
    assert [next(i for i, p in enumerate(phases) if k in p) for k in kinds] == sorted(
        next(i for i, p in enumerate(phases) if k in p) for k in kinds), kinds
    assert kinds.count('logout') == 4 and kinds.count('delete node') == 4 and kinds.count('delete iface') == 2
    assert sorted(w.argv[-1] for w in host.writes() if w.kind == 'multipath -f') == [W1, W2, W3]
    assert [w.argv[4] for w in host.writes() if w.kind == 'delete iface'] == ['ens4', 'ens5']
    # The record is on disk at every write, the sysctl file's removal included, and gone after.
    assert all(w.record is not None for w in host.writes()) and not (tmp / 'record.json').exists()
    assert live(tmp) == BEFORE and not (tmp / 'sysctl.d' / '90-shared.conf').exists()
    report = result['report']
    assert result['changed'] and result['state'] == 'removed' and report['refused'] == [] and report['kept'] == []
    removed = report['removed']
    assert sorted(s['sid'] for s in removed['sessions']) == [2, 3, 4, 5]
    assert removed['node_records'] == [record_entry(s) for s in sorted(normalize_sessions(LAB_SESSIONS), key=_leave.key_of)]
    assert removed['ifaces'] == ['ens4', 'ens5'] and removed['files'] == [str(tmp / 'sysctl.d' / '90-shared.conf'), str(tmp / 'record.json')]
    assert [(s['sysctl'], s['value'], s['set_live']) for s in removed['sysctls'][:3]] == [
        ('net.ipv4.conf.ens4.arp_announce', '0', True), ('net.ipv4.conf.ens4.arp_ignore', '0', True), ('net.ipv4.conf.ens4.rp_filter', '1', True)]
    assert report['untouched'] == {'sessions': [], 'node_records': [], 'ifaces': ['ens6']}
    assert result['record'] == {'ifaces': [], 'nodes': []}


def test_vdsms_sessions_node_records_and_the_ifaces_they_use_stay_whatever_ownership_says(tmp, monkeypatch):
    """The record lists storage1's two; storage2's sessions are VDSM's (through the same NIC-named ifaces)."""
    record(tmp, sessions=[s for s in LAB_SESSIONS if s['target'] == T1])
    host = FakeHost(**WITH_VDSM, record_file=str(tmp / 'record.json'))
    result = run(host, tmp, monkeypatch, ownership='engine', engine_targets=[T1, T2])
    assert not [w for w in host.writes() if T2 in w.argv or {'sdc', 'sdf', W3} & set(w.argv)]
    assert [w.kind for w in host.writes() if w.kind != 'delete disk'] == ['multipath -f'] * 2 + ['logout'] * 2 + ['delete node'] * 2 + [
        'sysctl file']
    report = result['report']
    assert result['state'] == 'removed' and report['removed']['ifaces'] == []
    assert [k['iface'] for k in report['kept_ifaces']] == ['ens4', 'ens5'] and T2 in report['kept_ifaces'][0]['reason']
    assert sorted((s['target'], s['iface']) for s in report['untouched']['sessions']) == [(T2, 'ens4'), (T2, 'ens5')]
    # The ifaces the collection made stay in its record while VDSM uses them; nothing else does.
    assert json.loads((tmp / 'record.json').read_text()) == {'ifaces': ['ens4', 'ens5'], 'nodes': []}


def test_a_session_of_a_target_vdsm_keeps_leaves_its_maps_first_and_the_target_is_not_released(tmp, monkeypatch):
    """The record lists storage1 through ens4 only: VDSM's session through ens5 keeps storage1 on the host."""
    record(tmp, sessions=LAB_SESSIONS[:1], ifaces=())
    host = FakeHost(**WITH_VDSM, record_file=str(tmp / 'record.json'))
    result = run(host, tmp, monkeypatch)
    assert [(w.kind, w.argv[-1]) for w in host.writes() if w.kind != 'sysctl file'] == [
        ('multipathd del path', 'sda'), ('delete disk', 'sda'), ('multipathd del path', 'sdb'), ('delete disk', 'sdb'),
        ('logout', '-u'), ('delete node', 'delete')]
    assert result['report']['released'] == [] and result['state'] == 'removed'


def test_a_target_whose_map_is_held_is_refused_whole_the_others_leave_and_the_files_and_record_stay(tmp, monkeypatch):
    written = record(tmp)
    host = HeldHost(**LEAVING, record_file=str(tmp / 'record.json'))
    result = run(host, tmp, monkeypatch)
    assert not [w for w in host.writes() if T2 in w.argv or {'sdc', 'sdf', W3} & set(w.argv)], 'nothing of storage2 changed'
    assert sorted(w.argv[-1] for w in host.writes() if w.kind == 'multipath -f') == [W1, W2]
    assert [w.kind for w in host.writes()].count('logout') == 2 and 'delete iface' not in host.kinds() and 'sysctl file' not in host.kinds()
    report = result['report']
    assert result['changed'] and result['state'] == 'refused'
    assert report['refused'] == [{'target': T2, 'reason': 'refused to release %s: map %s (%s) is held: open by fio (pid 4242); nothing of it '
                                  'was changed (stop what uses it, then run again)' % (T2, W3, W3)}]
    assert [k['iface'] for k in report['kept_ifaces']] == ['ens4', 'ens5']
    assert live(tmp) == SET and (tmp / 'sysctl.d' / '90-shared.conf').exists()
    left = json.loads((tmp / 'record.json').read_text())
    assert left['ifaces'] == ['ens4', 'ens5'] and left['nodes'] == [e for e in written['nodes'] if e['target'] == T2]


@pytest.mark.parametrize('held', [False, True])
def test_check_mode_writes_nothing_and_predicts_what_a_run_removes(tmp, monkeypatch, held):
    written = record(tmp)
    kind = HeldHost if held else FakeHost
    host = kind(**LEAVING, record_file=str(tmp / 'record.json'))
    predicted = run(host, tmp, monkeypatch, check_mode=True)
    assert host.writes() == [] and host._record_on_disk() == written and live(tmp) == SET
    assert predicted['changed'] and predicted['report']['check_mode']
    actual = run(kind(**LEAVING, record_file=str(tmp / 'record.json')), tmp, monkeypatch)
    for key in ('state', 'removed', 'released', 'refused', 'kept', 'kept_ifaces', 'untouched'):
        assert predicted['report'][key] == actual['report'][key], key


@pytest.mark.parametrize('check_mode', [False, True])
def test_the_files_iscsi_host_config_recorded_keep_the_record_for_it_to_remove(tmp, monkeypatch, check_mode):
    files = {'/etc/multipath.conf': {'kind': 'file', 'before': None}}
    written = dict(record(tmp), files=files)
    (tmp / 'record.json').write_text(json.dumps(written))
    result = run(FakeHost(**LEAVING, record_file=str(tmp / 'record.json')), tmp, monkeypatch, check_mode=check_mode)
    assert result['report']['record_goes_with_files'] and str(tmp / 'record.json') not in result['report']['removed']['files']
    assert json.loads((tmp / 'record.json').read_text()) == (written if check_mode else {'ifaces': [], 'nodes': [], 'files': files})


def test_a_host_with_nothing_of_the_collections_changes_nothing(tmp_path, monkeypatch):
    host = FakeHost(**WITH_VDSM, record_file=str(tmp_path / 'record.json'))
    result = run(host, tmp_path, monkeypatch)
    assert host.writes() == [] and not result['changed'] and result['state'] == 'removed'
    assert result['report']['removed'] == {'sessions': [], 'node_records': [], 'ifaces': [], 'files': [], 'sysctls': []}
    assert len(result['report']['untouched']['sessions']) == 4


@pytest.mark.parametrize('params, problem', [
    ({'sessions': LAB_SESSIONS[:1]}, 'state=absent takes no sessions'),
    ({'verify_only': True}, 'verify_only changes nothing'),
])
def test_absent_refuses_what_contradicts_it_before_reading_anything(tmp_path, monkeypatch, params, problem):
    host = FakeHost({}, record_file=str(tmp_path / 'record.json'))
    with pytest.raises(PlanError, match=problem):
        run(host, tmp_path, monkeypatch, **params)
    assert host.calls == []


def test_a_converge_does_not_release_a_target_that_a_session_it_does_not_own_keeps_on_the_host(tmp, monkeypatch):
    """The same rule in a converge: storage2 leaves the plan, but its session through ens5 is not
    the collection's (ownership role): only the collection's path leaves, storage2's map and the
    other session's disk stay (before, the whole target was released, that disk deleted too)."""
    record(tmp, sessions=LAB_SESSIONS[:3])
    host = FakeHost(**WITH_VDSM, record_file=str(tmp / 'record.json'))
    monkeypatch.setattr(_session_runner, 'ScsiHosts', lambda: host)
    monkeypatch.setattr(_session_runner, 'SharedSubnetSettings', lambda: LoggedSysctls(host, tmp))
    result = run(host, tmp, monkeypatch, state='present', sessions=LAB_SESSIONS[:2], ownership='role')
    removals = [(w.kind, w.argv[-1]) for w in host.writes() if w.kind in REMOVALS and w.kind != 'sysctl file']
    assert removals == [('multipathd del path', 'sdc'), ('delete disk', 'sdc'), ('logout', '-u'), ('delete node', 'delete')]
    assert result['report']['released'] == []
