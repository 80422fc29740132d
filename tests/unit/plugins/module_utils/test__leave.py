# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of a host leaving for good (pure): only what the record lists, and what stays keeps
every iface it uses. The run on a replayed host: tests/unit/plugins/modules/test_iscsi_sessions_absent.py."""

from __future__ import annotations

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._leave import free_ifaces, leave_plan, nodes_going, predict, sysctl_entries
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import record_entry

T1 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage1'
T2 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage2'


def item(target, iface, address, sid=None):
    out = {'target': target, 'iface': iface, 'address': address, 'port': 3260, 'tpgt': 1}
    if sid is not None:
        out['sid'] = sid
    return out


OURS = [item(T1, 'ens4', '198.18.1.1', 1), item(T1, 'ens5', '198.18.2.1', 2)]
VDSMS = [item(T2, 'ens4', '198.18.1.1', 3), item(T1, 'ens6', '198.18.3.1', 4)]
HOST = {'ifaces': {'default': {}, 'iser': {}, 'ens4': {}, 'ens5': {}, 'ens6': {}},
        'nodes': [dict(s, sid=None) for s in OURS + VDSMS], 'sessions': OURS + VDSMS}
RECORD = {'ifaces': ['ens4', 'ens5', 'ens9'], 'nodes': [record_entry(s) for s in OURS]}


class Devices:
    def __init__(self, held=()):
        self.held = held

    def pathless_maps(self):
        return []

    def dm_of_map(self, name):
        return name

    def holders(self, name):
        return ['mounted on /srv'] if name in self.held else []


def lun(wwid, *paths):
    paths = [dict(target=t, iface=i, portal='%s:3260,1' % a, device=d, active=True) for t, i, a, d in paths]
    return {'wwid': wwid, 'map': wwid, 'paths': paths}


def test_only_what_the_record_lists_leaves_and_an_iface_another_uses_stays():
    plan = leave_plan(HOST, RECORD)
    assert [s['sid'] for s in plan.sessions] == [1, 2] and sorted(s['sid'] for s in plan.staying) == [3, 4]
    assert [(n['target'], n['iface']) for n in plan.nodes] == [(T1, 'ens4'), (T1, 'ens5')]
    # ens4 carries VDSM's session to storage2; ens9 is recorded but no longer on the host.
    assert plan.ifaces == ['ens5']
    assert [k['iface'] for k in plan.kept_ifaces] == ['ens4'] and T2 in plan.kept_ifaces[0]['reason']
    assert plan.untouched_ifaces == ['ens6']


def test_no_record_means_nothing_leaves():
    plan = leave_plan(HOST, {'ifaces': [], 'nodes': []})
    assert (plan.sessions, plan.nodes, plan.ifaces) == ([], [], [])
    assert len(plan.staying) == 4 and len(plan.untouched_nodes) == 4


def test_a_target_another_session_keeps_is_not_released_its_paths_leave_one_by_one():
    plan = leave_plan(HOST, RECORD)
    luns = [lun('w1', (T1, 'ens4', '198.18.1.1', 'sda'), (T1, 'ens5', '198.18.2.1', 'sdb'), (T1, 'ens6', '198.18.3.1', 'sdc'))]
    going, kept, released, refused = predict(plan, luns, Devices())
    assert [s['sid'] for s in going] == [1, 2] and (kept, released, refused) == ([], [], [])


def test_the_last_active_path_of_a_lun_is_kept_when_the_target_stays():
    plan = leave_plan(HOST, RECORD)
    luns = [lun('w1', (T1, 'ens4', '198.18.1.1', 'sda'), (T1, 'ens5', '198.18.2.1', 'sdb'), (T1, 'ens6', '198.18.3.1', 'sdc'))]
    luns[0]['paths'][2]['active'] = False
    going, kept, released, refused = predict(plan, luns, Devices())
    assert [s['sid'] for s in going] == [1] and [k['reason'] for k in kept] == ['kept: the last active path of w1']
    nodes = nodes_going(plan, going, set())
    assert [n['iface'] for n in nodes] == ['ens4']
    assert free_ifaces(plan, going, nodes) == [], 'ens5 still carries the kept session'


def test_a_leaving_target_held_open_is_refused_and_keeps_its_node_records_and_ifaces():
    plan = leave_plan({'ifaces': {'ens4': {}, 'ens5': {}}, 'nodes': [dict(s, sid=None) for s in OURS], 'sessions': OURS}, RECORD)
    luns = [lun('w1', (T1, 'ens4', '198.18.1.1', 'sda'), (T1, 'ens5', '198.18.2.1', 'sdb'))]
    going, kept, released, refused = predict(plan, luns, Devices(held=('w1',)))
    assert going == [] and released == [] and len(kept) == 2
    assert refused == [{'target': T1.lower(), 'reason': 'refused to release %s: map w1 (w1) is held: mounted on /srv; nothing of '
                        'it was changed (stop what uses it, then run again)' % T1.lower()}]
    assert nodes_going(plan, going, set([T1.lower()])) == [] and free_ifaces(plan, going, []) == []
    going, kept, released, refused = predict(plan, luns, Devices())
    assert released == [{'target': T1.lower(), 'maps_flushed': ['w1'], 'disks_deleted': ['sda', 'sdb']}] and len(going) == 2
    assert free_ifaces(plan, going, nodes_going(plan, going, set())) == ['ens4', 'ens5']


def test_the_sysctls_report_the_value_each_goes_back_to():
    entries = sysctl_entries({('ens4', 'rp_filter'): '2', ('ens5', 'rp_filter'): '2'}, {('ens4', 'rp_filter'): '1'}, {'ens4.rp_filter': '1'})
    assert entries == [{'sysctl': 'net.ipv4.conf.ens4.rp_filter', 'value': '1', 'set_live': True},
                       {'sysctl': 'net.ipv4.conf.ens5.rp_filter', 'value': None, 'set_live': False}]
