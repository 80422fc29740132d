# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A reused LUN number (_lun_identity): identities read from a sysfs tree, the pure comparisons,
and the run's recheck with a runner that records what it does (the lab proof is lun-reused)."""

from __future__ import annotations

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils import _lun_identity as li
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_runner import SessionRunner

OLD, NEW = '360000000000000000e00000000010003', '360000000000000000e0000000001b103'
PORTALS = {'sdg': ('198.18.1.1:3260', 'ens4'), 'sdh': ('198.18.2.1:3260', 'ens5')}


def lun(wwid, devices, map_name=None, active=True, dm_state='active'):
    paths = [{'device': d, 'target': 'iqn.t:s1', 'portal': PORTALS[d][0], 'iface': PORTALS[d][1], 'active': active,
              'dm_state': dm_state} for d in devices]
    return {'wwid': wwid, 'map': map_name if map_name is not None else wwid, 'paths': paths,
            'active_paths': len(paths) if active else 0}


def sysfs(tmp_path, disk, wwid, size='49152'):
    device = tmp_path / disk / 'device'
    device.mkdir(parents=True)
    (device / 'wwid').write_text(wwid + '\n')
    (device / 'rescan').write_text('')
    (tmp_path / disk / 'size').write_text(size + '\n')
    return device


def test_the_kernels_designator_is_spelt_as_the_maps():
    assert li.multipath_wwid('naa.60000000000000000e0000000001b103\n') == NEW
    assert li.multipath_wwid('eui.0123456789ABCDEF') == '20123456789abcdef'
    assert li.multipath_wwid('t10.IET     VIRTUAL-DISK') is None and li.multipath_wwid('') is None


def test_each_disk_is_rescanned_then_read_and_a_lu_without_capacity_has_no_identity(tmp_path):
    sdg = sysfs(tmp_path, 'sdg', 'naa.' + NEW[1:])
    sysfs(tmp_path, 'sdh', 'naa.60000000000000000e00000000010000', size='0')  # tgtd's answer for a LU gone
    identity = li.DiskIdentity(sys_block=str(tmp_path))
    assert identity.read(['sdg', 'sdh', 'sdx', None]) == {'sdg': NEW, 'sdh': None, 'sdx': None}
    assert (sdg / 'rescan').read_text() == '1'
    (sdg / 'rescan').write_text('')
    assert identity.read(['sdg'], rescan=False) == {'sdg': NEW} and (sdg / 'rescan').read_text() == '', 'check mode reads only'


def test_a_path_reading_another_wwid_than_its_map_is_changed_and_never_active():
    luns = [lun(OLD, ['sdg', 'sdh'])]
    changed = li.changed_paths(luns, {'sdg': NEW, 'sdh': OLD})
    assert changed == [{'device': 'sdg', 'map': OLD, 'old_wwid': OLD, 'wwid': NEW, 'target': 'iqn.t:s1',
                        'portal': '198.18.1.1:3260', 'iface': 'ens4'}]
    marked = li.mark_changed(luns, {'sdg': NEW, 'sdh': OLD})
    assert [(p['device'], p['active'], p.get('reads_wwid')) for p in marked[0]['paths']] == [('sdg', False, NEW), ('sdh', True, None)]
    assert marked[0]['active_paths'] == 1 and luns[0]['active_paths'] == 2, 'the caller keeps what it read'
    assert li.changed_paths(luns, {'sdg': None, 'sdh': OLD}) == [], 'an unknown identity is not a change'


def test_a_path_still_in_the_old_map_or_in_none_is_handed_to_multipathd_again():
    changed = li.changed_paths([lun(OLD, ['sdg', 'sdh'])], {'sdg': NEW, 'sdh': NEW})
    # sdh moved to the new map; sdg's removal from the old one failed and it is in no map.
    after = [lun(NEW, ['sdh']), lun(NEW, ['sdg'], map_name='', dm_state=None)]
    assert li.unsettled(changed, after, {'sdg': NEW, 'sdh': NEW}) == ['sdg']
    assert li.left_without_path(changed, after) == [{'map': OLD, 'wwid': OLD}]
    assert li.left_without_path([], [lun(NEW, ['sdh'])], pending=[OLD]) == [{'map': OLD, 'wwid': OLD}]


class Runner:
    """The SessionRunner seam recheck uses; multipathd's change events already moved the paths."""

    def __init__(self, live, after, maps, holders=()):
        self.identity = self
        self.devices = self
        self.module = self
        self.live, self.after, self.maps, self.holders_of = live, after, set(maps), dict(holders)
        self.calls, self.warnings, self.changed = [], [], False

    def read(self, disks, rescan=True):
        self.calls.append(('read identities', tuple(disks), rescan))
        return dict((d, self.live.get(d)) for d in disks)

    def settle_udev(self):
        self.calls.append(('settle',))

    def read_paths(self):
        self.calls.append(('read paths',))
        return [], self.after

    def multipathd(self, *args, **kwargs):
        self.calls.append(('multipathd',) + args)

    # The real runner's: queueing off, then multipath -f, through this seam's multipathd and run_command.
    flush_unqueued = SessionRunner.flush_unqueued

    def dm_of_map(self, name):
        return 'dm-9' if name in self.maps else None

    def holders(self, kernel_name):
        return self.holders_of.get(kernel_name, [])

    def run_command(self, cmd, environ_update=None):
        self.calls.append(tuple(cmd[1:]))
        self.maps.discard(cmd[-1])
        return 0, '', ''

    def get_bin_path(self, name, required=False):
        return '/usr/sbin/' + name

    def warn(self, text):
        self.warnings.append(text)


def test_the_run_flushes_the_map_a_reused_lun_left_and_reads_the_paths_again():
    runner = Runner({'sdg': NEW, 'sdh': NEW}, after=[lun(NEW, ['sdg', 'sdh'])], maps=[OLD, NEW])
    live, changed, left, fresh = li.recheck(runner, [lun(OLD, ['sdg', 'sdh'])])
    assert [c['device'] for c in changed] == ['sdg', 'sdh'] and fresh == ([], runner.after)
    assert left == [{'map': OLD, 'wwid': OLD, 'flushed': True, 'refused': None}] and runner.changed
    assert runner.calls[1:] == [('settle',), ('read paths',), ('multipathd', 'disablequeueing', 'map', OLD), ('-f', OLD)]


def test_a_held_map_is_refused_naming_its_holder_and_a_later_run_flushes_it():
    runner = Runner({'sdg': NEW, 'sdh': NEW}, after=[lun(NEW, ['sdg', 'sdh'])], maps=[OLD, NEW],
                    holders={'dm-9': ['open by sleep (pid 42)']})
    dummy, dummy, left, dummy = li.recheck(runner, [lun(OLD, ['sdg', 'sdh'])])
    assert left[0]['refused'].startswith('refused to flush map %s, whose LUN number now names another volume: ' % OLD)
    assert 'open by sleep (pid 42)' in left[0]['refused'] and runner.warnings == [left[0]['refused']]
    assert not any(c[0] == '-f' for c in runner.calls)
    # The next run: the paths are where they belong; the pending map is flushed once nothing holds it.
    runner = Runner({'sdg': NEW, 'sdh': NEW}, after=None, maps=[OLD, NEW])
    live, changed, left, fresh = li.recheck(runner, [lun(NEW, ['sdg', 'sdh'])], pending=[OLD])
    assert changed == [] and fresh is None and left == [{'map': OLD, 'wwid': OLD, 'flushed': True, 'refused': None}]


def test_check_mode_compares_what_the_kernel_has_and_changes_nothing():
    runner = Runner({'sdg': NEW}, after=None, maps=[OLD])
    live, changed, left, fresh = li.recheck(runner, [lun(OLD, ['sdg', 'sdh'])], rescan=False, pending=[OLD])
    assert [c['device'] for c in changed] == ['sdg'] and left == [] and fresh is None
    assert runner.calls == [('read identities', ('sdg', 'sdh'), False)] and not runner.changed


def test_only_paths_that_carry_io_are_read():
    runner = Runner({}, after=None, maps=[])
    li.recheck(runner, [lun(OLD, ['sdg', 'sdh'], active=False)])
    assert runner.calls == [('read identities', (), True)]


def test_a_disk_of_another_size_than_its_map_is_a_resized_lun_and_is_only_said():
    luns = [lun(OLD, ['sdg', 'sdh'])]
    live = {'sdg': OLD, 'sdh': OLD}
    dm_of = {OLD: 'dm-4'}
    assert li.size_differences(luns, live, {'dm-4': 65536, 'sdg': 131072, 'sdh': 65536}, dm_of) == [
        {'map': OLD, 'wwid': OLD, 'device': 'sdg', 'disk_sectors': 131072, 'map_sectors': 65536}]
    # Another WWID is a reuse, not a resize; an unknown size compares nothing.
    assert li.size_differences(luns, {'sdg': NEW, 'sdh': OLD}, {'dm-4': 65536, 'sdg': 49152, 'sdh': 65536}, dm_of) == []
    assert li.size_differences(luns, live, {'dm-4': 65536, 'sdg': None}, dm_of) == []


def test_sizes_are_read_from_sysfs_in_sectors(tmp_path):
    sysfs(tmp_path, 'sdg', 'naa.' + NEW[1:], size='49152')
    (tmp_path / 'dm-4').mkdir()
    (tmp_path / 'dm-4' / 'size').write_text('65536\n')
    sizes = li.DiskIdentity(sys_block=str(tmp_path)).sectors(['sdg', 'dm-4', 'sdz'])
    assert sizes == {'sdg': 49152, 'dm-4': 65536, 'sdz': None}


def test_capacity_keeps_no_capacity_apart_from_unreadable_and_rescans_only_when_asked(tmp_path):
    sdg = sysfs(tmp_path, 'sdg', 'naa.60000000000000000e00000000010000', size='0')
    identity = li.DiskIdentity(sys_block=str(tmp_path))
    assert identity.capacity(['sdg', 'sdz']) == {'sdg': 0, 'sdz': None} and not (sdg / 'rescan').read_text()
    assert identity.capacity(['sdg'], rescan=True) == {'sdg': 0} and (sdg / 'rescan').read_text() == '1'
    assert identity.sectors(['sdg']) == {'sdg': None}


def test_the_run_warns_about_a_resized_lun():
    runner = Runner({}, after=None, maps=[OLD])
    runner.sectors = lambda names: {'dm-9': 65536, 'sdg': 131072, 'sdh': 65536}
    found = li.resized_paths(runner, [lun(OLD, ['sdg', 'sdh'])], {'sdg': OLD, 'sdh': OLD})
    assert [e['device'] for e in found] == ['sdg']
    assert runner.warnings == ['map %s serves 65536 sectors, its disk sdg has 131072: the LUN was resized on the array; '
                               '`multipathd resize map %s` takes the new size' % (OLD, OLD)]
