# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host states as the engine decides them, and make before break per LUN."""

from __future__ import annotations

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_report import (
    DEGRADED, NON_OPERATIONAL, OPERATIONAL, host_report, join_paths, last_path_of)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import parse_session_tree
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._multipath import parse_paths, path_is_active
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import node_key, normalize_sessions, outside_subnet
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.fake_iscsiadm import LAB_SESSIONS
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.host_fixtures import fixture_text

T1 = 'iqn.2026-11.test:storage1'
DESIRED = normalize_sessions([
    dict(iface='ens4', net_ifacename='ens4', network='iscsi-a', address='198.18.1.1', target=T1),
    dict(iface='ens5', net_ifacename='ens5', network='iscsi-b', address='198.18.2.1', target=T1)])


# (dm_state, checker_state, device_state) of a path as multipathd printed them in the lab
# (fixtures/multipathd/show-paths-raw and -raw-cut): a cut path's SCSI device stays 'running'.
UP = ('active', 'ready', 'running')
CUT = ('failed', 'faulty', 'running')


def path(iface, address, active=True, wwid='w1'):
    states = dict(zip(('dm_state', 'checker_state', 'device_state'), UP if active else CUT))
    return dict(states, device='sd%s%s' % (iface[-1], wwid[-1]), target=T1, portal='%s:3260' % address, iface=iface,
                active=path_is_active(states), session_state='LOGGED_IN')


def lun(*paths, wwid='w1'):
    return {'wwid': wwid, 'paths': list(paths), 'active_paths': sum(p['active'] for p in paths)}


def session(iface, address, state='LOGGED_IN'):
    return {'target': T1, 'address': address, 'port': 3260, 'iface': iface, 'session_state': state}


SESSIONS = [session('ens4', '198.18.1.1'), session('ens5', '198.18.2.1')]


def test_every_lun_through_every_session_is_operational():
    report = host_report([lun(path('ens4', '198.18.1.1'), path('ens5', '198.18.2.1'))], SESSIONS, DESIRED)
    assert (report['state'], report['missing'], report['operational']) == (OPERATIONAL, [], True)
    assert sorted(report['luns'][0]['networks']) == ['iscsi-a', 'iscsi-b']


def test_one_network_lost_with_a_path_left_is_degraded_and_names_it_with_the_reason():
    failed = {node_key(T1, '198.18.2.1', 3260, 'ens5'): 'login failed: initiator reported error (8 - connection timed out)'}
    report = host_report([lun(path('ens4', '198.18.1.1'))], SESSIONS[:1], DESIRED, failed=failed)
    assert report['state'] == DEGRADED and report['degraded_networks'] == ['iscsi-b']
    assert [(m['network'], m['reason']) for m in report['missing']] == [('iscsi-b', failed[node_key(T1, '198.18.2.1', 3260, 'ens5')])]


def test_a_failed_path_is_missing_with_its_state():
    report = host_report([lun(path('ens4', '198.18.1.1'), path('ens5', '198.18.2.1', active=False))], SESSIONS, DESIRED)
    assert report['state'] == DEGRADED and report['missing'][0]['reason'] == 'failed/faulty'


def test_the_captured_cut_shape_failed_faulty_running_is_never_counted_active():
    """iscsi-b cut on host1 as captured: multipathd prints failed|faulty|running for the ens5 paths
    (iscsiadm says transport-offline for their disks; the join keeps multipathd's word)."""
    sessions = parse_session_tree(fixture_text('iscsiadm', 'session-tree-cut'))
    luns = join_paths(sessions, parse_paths(fixture_text('multipathd', 'show-paths-raw-cut')))
    shapes = set((p['iface'], p['dm_state'], p['checker_state'], p['device_state'], p['active']) for lun in luns for p in lun['paths'])
    assert shapes == {('ens4',) + UP + (True,), ('ens5',) + CUT + (False,)}
    assert [lun['active_paths'] for lun in luns] == [1, 1, 1]
    report = host_report(luns, sessions, normalize_sessions(LAB_SESSIONS))
    assert report['state'] == DEGRADED and report['degraded_networks'] == ['iscsi-b'] and report['luns_without_path'] == []
    assert set(p['state'] for lun in report['luns'] for p in lun['networks']['iscsi-b']) == {'session free'}


def test_a_lun_without_an_active_path_or_a_target_without_luns_is_non_operational():
    dead = host_report([lun(path('ens4', '198.18.1.1', active=False), path('ens5', '198.18.2.1', active=False))], SESSIONS, DESIRED)
    assert dead['state'] == NON_OPERATIONAL and dead['luns_without_path'] == ['w1']
    empty = host_report([], [], DESIRED)
    assert empty['state'] == NON_OPERATIONAL and empty['targets_without_luns'] == [T1.lower()]


def test_check_mode_logins_are_expected_not_missing():
    report = host_report([lun(path('ens4', '198.18.1.1'))], SESSIONS[:1], DESIRED, would_login=DESIRED[1:])
    assert report['state'] == OPERATIONAL and [w['iface'] for w in report['would_create']] == ['ens5']


def test_sessions_outside_the_iface_subnet_are_not_tried_and_neither_missing_nor_degrading():
    """The demo's layout: the engine pairs each NIC with both portals, each NIC's subnet holds one."""
    both = normalize_sessions([
        dict(iface=iface, net_ifacename=iface, network=network, subnet=subnet, address=address, target=T1)
        for iface, network, subnet in (('ens4', 'iscsi-a', '198.18.1.0/24'), ('ens5', 'iscsi-b', '198.18.2.0/24'))
        for address in ('198.18.1.1', '198.18.2.1')])
    reachable = [s for s in both if not outside_subnet(s)]
    report = host_report([lun(path('ens4', '198.18.1.1'), path('ens5', '198.18.2.1'))], SESSIONS, reachable,
                         unreachable=[s for s in both if outside_subnet(s)])
    assert (report['state'], report['missing'], report['degraded_networks']) == (OPERATIONAL, [], [])
    assert [(u['network'], u['portal'], u['reason']) for u in report['unreachable']] == [
        ('iscsi-a', '198.18.2.1:3260', 'portal outside the subnet 198.18.1.0/24 of iface ens4: not tried'),
        ('iscsi-b', '198.18.1.1:3260', 'portal outside the subnet 198.18.2.0/24 of iface ens5: not tried')]


def test_a_stale_session_is_the_last_path_of_a_lun_only_when_no_other_active_path_is_left():
    luns = [lun(path('ens4', '198.18.1.1'), path('ens5', '198.18.2.1')), lun(path('ens5', '198.18.2.1', wwid='w2'), wwid='w2')]
    ens5 = node_key(T1, '198.18.2.1', 3260, 'ens5')
    ens4 = node_key(T1, '198.18.1.1', 3260, 'ens4')
    assert last_path_of(luns, ens5, set()) == ['w2']
    assert last_path_of(luns[:1], ens5, set()) == []
    assert last_path_of(luns[:1], ens5, {ens4}) == ['w1']


def test_a_missing_path_names_the_engine_connection_and_every_bond_of_its_session():
    """Traced back to the engine: the storage connection and the bonds the session came from."""
    desired = normalize_sessions([
        dict(iface='ens4', net_ifacename='ens4', network='iscsi-a', address='198.18.1.1', target=T1, connection_id='c-a',
             bond='bond1', bonds=['bond1']),
        dict(iface='ens5', net_ifacename='ens5', network='iscsi-b', address='198.18.2.1', target=T1, connection_id='c-b',
             bond='bond1', bonds=['bond1', 'bond2'])])
    report = host_report([lun(path('ens4', '198.18.1.1'), path('ens5', '198.18.2.1', active=False))], SESSIONS, desired)
    assert [(m['iface'], m['connection_id'], m['bonds'], m['reason']) for m in report['missing']] == [
        ('ens5', 'c-b', ['bond1', 'bond2'], 'failed/faulty')]
    # Not logged in at all: named the same way; a hand-written session has neither.
    report = host_report([lun(path('ens4', '198.18.1.1'))], SESSIONS[:1], desired)
    assert [(m['connection_id'], m['bonds']) for m in report['missing']] == [('c-b', ['bond1', 'bond2'])]
    report = host_report([lun(path('ens4', '198.18.1.1'))], SESSIONS[:1], DESIRED)
    assert [(m['connection_id'], m['bonds']) for m in report['missing']] == [(None, [])]
