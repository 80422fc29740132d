# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iscsi_paths_info: the join of sessions and multipathd paths, and what is missing."""

from __future__ import annotations

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import parse_session_tree
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._multipath import parse_paths
from ansible_collections.ovirt_iscsi.multipath.plugins.modules import iscsi_paths_info
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.host_fixtures import fixture_text

IQN = 'iqn.x:t'


def session(sid, iface, disk, state='LOGGED_IN'):
    return {'sid': sid, 'target': IQN, 'address': '198.18.%d.1' % sid, 'port': 3260, 'iface': iface, 'netdev': iface,
            'ipaddress': '198.18.%d.11' % sid, 'session_state': state, 'connection_state': 'LOGGED IN',
            'devices': [{'hctl': '%d:0:0:1' % sid, 'lun': 1, 'disk': disk, 'state': 'running'}]}


def mpath(disk, dm_state='active', checker='ready'):
    return {'wwid': '36001', 'device': disk, 'map': '36001', 'dm_state': dm_state, 'checker_state': checker,
            'device_state': 'running', 'hctl': None}


def test_join_puts_both_paths_under_one_wwid():
    luns = iscsi_paths_info.join_paths([session(1, 'ens4', 'sda'), session(2, 'ens5', 'sdb')], [mpath('sda'), mpath('sdb')])
    assert [(lun['wwid'], lun['active_paths']) for lun in luns] == [('36001', 2)]
    assert [(p['device'], p['iface'], p['portal'], p['sid']) for p in luns[0]['paths']] == [
        ('sda', 'ens4', '198.18.1.1:3260', 1), ('sdb', 'ens5', '198.18.2.1:3260', 2)]


def test_missing_names_the_lun_and_the_iface_without_an_active_path():
    sessions = [session(1, 'ens4', 'sda'), session(2, 'ens5', 'sdb')]
    luns = iscsi_paths_info.join_paths(sessions, [mpath('sda'), mpath('sdb', 'failed', 'faulty')])
    views = [iscsi_paths_info.session_view(s) for s in sessions]
    assert iscsi_paths_info.missing_through_ifaces(luns, views, {IQN}, ['ens4', 'ens5']) == [
        {'wwid': '36001', 'target': IQN, 'iface': 'ens5', 'reason': 'no active path'}]


def test_missing_session_through_an_iface_is_reported_per_target():
    sessions = [session(1, 'ens4', 'sda')]
    luns = iscsi_paths_info.join_paths(sessions, [mpath('sda')])
    missing = iscsi_paths_info.missing_through_ifaces(luns, [iscsi_paths_info.session_view(s) for s in sessions], {IQN}, ['ens4', 'ens6'])
    assert {'wwid': None, 'target': IQN, 'iface': 'ens6', 'reason': 'no logged-in session'} in missing
    assert {'wwid': '36001', 'target': IQN, 'iface': 'ens6', 'reason': 'no active path'} in missing


def test_disk_unknown_to_multipathd_is_not_active():
    luns = iscsi_paths_info.join_paths([session(1, 'ens4', 'sda')], [])
    assert luns[0]['wwid'] == 'unknown:sda' and luns[0]['active_paths'] == 0


def test_join_on_captured_outputs_gives_every_lun_its_paths():
    sessions = parse_session_tree(fixture_text('iscsiadm', 'session-tree'))
    mpaths = parse_paths(fixture_text('multipathd', 'show-paths-raw'))
    luns = iscsi_paths_info.join_paths(sessions, mpaths)
    assert luns
    ifaces = sorted({s['iface'] for s in sessions})
    for lun in luns:
        assert not lun['wwid'].startswith('unknown:')
        assert sorted(p['iface'] for p in lun['paths']) == ifaces
        assert lun['active_paths'] == len(ifaces)


def test_join_on_captured_outputs_with_a_cut_network_misses_its_iface():
    sessions = parse_session_tree(fixture_text('iscsiadm', 'session-tree-cut'))
    mpaths = parse_paths(fixture_text('multipathd', 'show-paths-raw-cut'))
    luns = iscsi_paths_info.join_paths(sessions, mpaths)
    views = [iscsi_paths_info.session_view(s) for s in sessions]
    targets = {s['target'] for s in sessions}
    missing = iscsi_paths_info.missing_through_ifaces(luns, views, targets, ['ens4', 'ens5'])
    assert missing
    assert {m['iface'] for m in missing} == {'ens5'}
    assert {m['wwid'] for m in missing if m['wwid']} == {lun['wwid'] for lun in luns}


def test_missing_compares_iqns_without_regard_to_case():
    sessions = [session(1, 'ens4', 'sda')]
    luns = iscsi_paths_info.join_paths(sessions, [mpath('sda')])
    views = [iscsi_paths_info.session_view(s) for s in sessions]
    assert iscsi_paths_info.missing_through_ifaces(luns, views, {IQN.upper()}, ['ens4']) == []
