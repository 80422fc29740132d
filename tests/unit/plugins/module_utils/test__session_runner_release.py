# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""remove_stale with a leaving target: released in os-brick's order, or refused whole."""

import types

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_runner import SessionRunner

T1 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage1'
T2 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage2'


class Calls:
    """Every write, in order, from the fake module, iscsiadm and block devices."""

    def __init__(self, holders=None):
        self.log = []
        self._holders = holders or {}

    # module
    def get_bin_path(self, name, required=False):
        return name

    def run_command(self, cmd, environ_update=None):
        self.log.append(' '.join(cmd))
        return 0, '', ''

    # iscsiadm
    def run(self, args, what, ok_rcs=(0,)):
        self.log.append('iscsiadm ' + ' '.join(args))
        return 0, ''

    # devices
    def pathless_maps(self):
        return []

    def dm_of_map(self, name):
        return 'dm-' + name

    def holders(self, kernel_name):
        return self._holders.get(kernel_name, [])

    def delete_scsi_disk(self, disk):
        self.log.append('delete %s' % disk)


def session(target, iface, address, sid):
    return {'target': target, 'iface': iface, 'address': address, 'port': 3260, 'tpgt': 1, 'sid': sid}


def path(target, iface, address, device, active=True):
    return {'target': target, 'iface': iface, 'portal': '%s:3260,1' % address, 'device': device, 'active': active}


LUNS = [
    {'wwid': 'w1', 'map': 'm1', 'paths': [path(T1, 'ens4', '198.18.1.1', 'sdb'), path(T1, 'ens5', '198.18.2.1', 'sdc')]},
    {'wwid': 'w2', 'map': 'm2', 'paths': [path(T2, 'ens4', '198.18.1.1', 'sdd'), path(T2, 'ens5', '198.18.2.1', 'sde')]},
]
STALE = [session(T2, 'ens4', '198.18.1.1', 3), session(T2, 'ens5', '198.18.2.1', 4)]
PLAN = types.SimpleNamespace(sessions=[session(T1, 'ens4', '198.18.1.1', 1), session(T1, 'ens5', '198.18.2.1', 2)],
                             unreachable=[], stale_sessions=STALE, stale_nodes=STALE)


def runner(calls):
    return SessionRunner(calls, calls, record_file='/nonexistent', parallel_logins=1, wait=0, devices=calls)


def test_an_idle_leaving_target_is_flushed_deleted_then_logged_out_one_at_a_time():
    calls = Calls()
    left, kept, released, refused = runner(calls).remove_stale(PLAN, LUNS)
    assert refused == [] and kept == []
    assert released == [{'target': T2, 'maps_flushed': ['m2'], 'disks_deleted': ['sdd', 'sde']}]
    assert [s['sid'] for s in left] == [3, 4]
    order = [line.split(' -T ')[0] for line in calls.log]
    assert order[:5] == ['multipath -f m2', 'delete sdd', 'delete sde',
                         'iscsiadm -m session -r 3 -u', 'iscsiadm -m session -r 4 -u']
    assert sum('-o delete' in line for line in calls.log) == 2


def test_a_leaving_target_held_open_is_refused_whole_and_nothing_of_it_changes():
    calls = Calls(holders={'dm-m2': ['open by fio (pid 4242)']})
    left, kept, released, refused = runner(calls).remove_stale(PLAN, LUNS)
    assert calls.log == []
    assert left == [] and released == []
    assert refused[0]['target'] == T2
    assert 'map m2 (w2) is held: open by fio (pid 4242)' in refused[0]['reason']
    assert [k['reason'] for k in kept] == [refused[0]['reason']] * 2


def test_a_stale_session_of_a_staying_target_still_keeps_a_last_path():
    calls = Calls()
    only_path = [{'wwid': 'w1', 'map': 'm1', 'paths': [path(T1, 'ens6', '198.18.3.1', 'sdf'), path(T1, 'ens4', '198.18.1.1', 'sdb', False)]}]
    plan = types.SimpleNamespace(sessions=[session(T1, 'ens4', '198.18.1.1', 1)], unreachable=[],
                                 stale_sessions=[session(T1, 'ens6', '198.18.3.1', 7)], stale_nodes=[])
    left, kept, released, refused = runner(calls).remove_stale(plan, only_path)
    assert calls.log == [] and left == [] and released == [] and refused == []
    assert kept[0]['reason'] == 'kept: the last active path of w1'


def test_a_stale_session_of_a_staying_target_leaves_its_maps_before_its_logout():
    calls = Calls()
    paths = [dict(path(T1, 'ens4', '198.18.1.1', 'sdb'), dm_state='active'), dict(path(T1, 'ens5', '198.18.2.1', 'sdc'), dm_state='active')]
    luns = [{'wwid': 'w1', 'map': 'm1', 'paths': paths}]
    plan = types.SimpleNamespace(sessions=[session(T1, 'ens4', '198.18.1.1', 1)], unreachable=[],
                                 stale_sessions=[session(T1, 'ens5', '198.18.2.1', 2)], stale_nodes=[])
    left, kept, released, refused = runner(calls).remove_stale(plan, luns)
    assert [s['sid'] for s in left] == [2] and kept == [] and released == [] and refused == []
    assert calls.log == ['multipathd del path sdc', 'delete sdc', 'iscsiadm -m session -r 2 -u']
