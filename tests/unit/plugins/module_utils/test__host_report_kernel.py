# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host report believes the kernel when multipathd lags: captured on the lab with every
network of host1 cut, read before multipathd's next check (fixtures *-lagging)."""

from __future__ import annotations

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_report import NON_OPERATIONAL, host_report, join_paths
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import parse_session_tree
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._multipath import parse_paths
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import normalize_sessions
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.host_fixtures import fixture_text

T1 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage1'
T2 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage2'


def lagging():
    sessions = parse_session_tree(fixture_text('iscsiadm', 'session-tree-lagging'))
    return sessions, join_paths(sessions, parse_paths(fixture_text('multipathd', 'show-paths-raw-lagging')))


def test_the_capture_is_the_lag_multipathd_active_ready_while_the_sessions_are_down():
    sessions, luns = lagging()
    paths = [p for lun in luns for p in lun['paths']]
    assert len(paths) == 6
    assert set((p['dm_state'], p['checker_state']) for p in paths) == {('active', 'ready')}
    assert set(p['session_state'] for p in paths) <= {'FAILED', 'FREE'}
    assert set(p['scsi_state'] for p in paths) <= {'blocked', 'transport-offline'}


def test_no_path_counts_active_and_the_host_is_non_operational():
    sessions, luns = lagging()
    assert [lun['active_paths'] for lun in luns] == [0, 0, 0]
    desired = normalize_sessions([
        dict(iface=nic, net_ifacename=nic, network=net, address=address, target=target)
        for nic, net, address in (('ens4', 'iscsi-a', '198.18.1.1'), ('ens5', 'iscsi-b', '198.18.2.1')) for target in (T1, T2)])
    report = host_report(luns, sessions, desired)
    assert report['state'] == NON_OPERATIONAL
    assert sorted(report['luns_without_path']) == sorted(lun['wwid'] for lun in luns)
    words = set(p['state'] for lun in report['luns'] for entries in lun['networks'].values() for p in entries)
    assert words <= {'session failed', 'session free'}
