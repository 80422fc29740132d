# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A LUN number the target gave to another volume while the host kept its disks (a reused LUN).

kubernetes/kubernetes#59946: a rescan only adds devices, so a disk keeps the identity it had at
its first scan; when the array unmaps a LUN and maps another volume under the same number, the old
disk (and its map) reads the new volume's data. PR #63176 deleted the disks on detach. Here the
host keeps its maps, so a run checks each disk's identity where it lives: the disk is rescanned
(``device/rescan``: the kernel reads VPD page 0x83 and the capacity again, and udev's change event
lets multipathd move a path whose WWID changed to the map of its new WWID, as multipath-tools does
since 0.8.6 for ``recheck_wwid``), then its ``device/wwid`` is compared with its map's WWID. A path
still in a map of another WWID is taken out of that map here; the old map, left without a path,
is flushed unless something holds it (then refused and reported, and the host is degraded). The
lab showed the case: tgtd's LUN 1 deleted and made again on another file with another scsi_id,
both paths stayed 'active ready' in the old map until the rescan.
"""

from __future__ import annotations

import concurrent.futures
import os

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._target_release import SYS_BLOCK, held_text, who_holds

# The kernel's designator prefix (scsi_vpd_lun_id) and the first digit of the WWID udev's scsi_id
# makes of it (the map's name with user_friendly_names no): NAA 3, EUI-64 2. A T10 vendor id is
# spelt differently by the two (spaces), so it is not compared.
WWID_TYPE = {'naa.': '3', 'eui.': '2'}


def multipath_wwid(kernel_wwid):
    """The map-style WWID ('36000...') of the kernel's ``device/wwid`` ('naa.6000...'); None for
    a designator the two do not spell alike (compared, it would only find false changes)."""
    text = (kernel_wwid or '').strip()
    for prefix, digit in WWID_TYPE.items():
        if text.lower().startswith(prefix):
            return digit + text[len(prefix):].lower()
    return None


def map_wwid(lun):
    """The WWID a LUN entry's map stands for: its name where that is a WWID (the collection refuses
    user_friendly_names), else the WWID multipathd printed for its paths."""
    name = (lun.get('map') or '').lower()
    return name if multipath_wwid('naa.' + name[1:]) == name and name[:1] in ('2', '3') else lun['wwid'].lower()


def changed_paths(luns, live):
    """[{device, map, old_wwid, wwid, target, portal, iface}] of the paths whose live WWID
    (``live``, {device: WWID or None}) is not their map's: they read another volume than the map's."""
    out = []
    for lun in luns:
        for path in lun['paths']:
            now = live.get(path.get('device'))
            if now and now != map_wwid(lun):
                out.append({'device': path['device'], 'map': lun.get('map') or lun['wwid'], 'old_wwid': lun['wwid'], 'wwid': now,
                            'target': path['target'], 'portal': path['portal'], 'iface': path['iface']})
    return out


def mark_changed(luns, live):
    """The LUN entries with each path that reads another WWID than its map's made not active
    (``reads_wwid``): such a path carries another volume's data, never this LUN's."""
    out = []
    for lun in luns:
        paths = []
        for path in lun['paths']:
            now = live.get(path.get('device'))
            paths.append(dict(path, active=False, reads_wwid=now) if now and now != map_wwid(lun) else path)
        out.append(dict(lun, paths=paths, active_paths=sum(1 for p in paths if p['active'])))
    return out


def left_without_path(changed, luns, pending=()):
    """[{map, wwid}] of the maps the changed paths left, and of the ``pending`` ones (a former run
    could not flush them), that have no path any more."""
    with_paths = set(lun.get('map') or lun['wwid'] for lun in luns if lun['paths'])
    maps = dict((entry['map'], entry['old_wwid']) for entry in changed)
    for name in pending:
        maps.setdefault(name, name)
    return [{'map': name, 'wwid': maps[name]} for name in sorted(maps) if name not in with_paths]


def unsettled(changed, luns, live):
    """The changed paths' disks that are still in a map of another WWID, or in no map, after
    multipathd had udev's change events: they are handed to multipathd again. (In the lab a
    reused LUN made smaller kept one path out of every map: the old map's reload failed on the
    other path's new size.)"""
    devices = set(entry['device'] for entry in changed)
    return sorted(p['device'] for lun in luns for p in lun['paths']
                  if p.get('device') in devices and (not lun.get('map') or p.get('dm_state') is None
                                                     or map_wwid(lun) != live.get(p['device'])))


def recheck(runner, luns, *, pending=(), rescan=True):
    """The run's check of every path's identity (``runner``: the SessionRunner). ``rescan`` False
    (check mode, verify only) compares what the kernel has and changes nothing. Returns (live
    WWIDs {disk: WWID}, the changed paths, [{map, wwid, flushed, refused}] of the maps they or a
    former run left without a path, (sessions, LUNs) read again or None)."""
    # Only paths that carry I/O: a rescan of a disk whose session is down waits for the SCSI timeout,
    # and a faulty path of a live session is a LUN unmapped (_lun_unserved), not a reused one.
    live = runner.identity.read([p.get('device') for lun in luns for p in lun['paths'] if p['active']], rescan=rescan)
    changed = changed_paths(luns, live)
    if not rescan or not (changed or pending):
        return live, changed, [], None
    fresh = None
    if changed:
        runner.changed = True
        runner.settle_udev()
        fresh = runner.read_paths()
        again = unsettled(changed, fresh[1], live)
        for device in again:
            runner.multipathd('del', 'path', device, warn=False)
            runner.multipathd('add', 'path', device)
        if again:
            fresh = runner.read_paths()
    left = [release_map(runner, entry) for entry in left_without_path(changed, fresh[1] if fresh else luns, pending)]
    return live, changed, [entry for entry in left if entry is not None], fresh


def size_differences(luns, live, sectors, dm_of):
    """[{map, wwid, device, disk_sectors, map_sectors}] of the paths that read their map's WWID
    (``live``) but whose disk has another size than the map (``sectors`` {block device: 512-byte
    sectors}, ``dm_of`` {map: dm device}): the LUN was resized on the array and the map still
    serves the old size until ``multipathd resize map`` (VDSM resizes when the engine asks)."""
    out = []
    for lun in luns:
        map_sectors = sectors.get(dm_of.get(lun.get('map')))
        for path in lun['paths']:
            disk_sectors = sectors.get(path.get('device'))
            if (live.get(path.get('device')) == map_wwid(lun) and map_sectors and disk_sectors
                    and disk_sectors != map_sectors):
                out.append({'map': lun['map'], 'wwid': lun['wwid'], 'device': path['device'],
                            'disk_sectors': disk_sectors, 'map_sectors': map_sectors})
    return out


def resized_paths(runner, luns, live):
    """size_differences on this host, each also a warning."""
    dm_of = dict((lun['map'], runner.devices.dm_of_map(lun['map'])) for lun in luns if lun.get('map'))
    sectors = runner.identity.sectors(sorted(d for d, wwid in live.items() if wwid) + sorted(d for d in dm_of.values() if d))
    found = size_differences(luns, live, sectors, dm_of)
    for entry in found:
        runner.module.warn('map %s serves %d sectors, its disk %s has %d: the LUN was resized on the array; '
                           '`multipathd resize map %s` takes the new size' % (entry['map'], entry['map_sectors'], entry['device'],
                                                                              entry['disk_sectors'], entry['map']))
    return found


def release_map(runner, entry):
    """Flush a map that a reused LUN left without a path, unless something holds it open (then
    ``refused`` names the holder, and a later run tries again); None when the map is gone."""
    if not runner.devices.dm_of_map(entry['map']):
        return None
    held = who_holds([{'wwid': entry['wwid'], 'map': entry['map'], 'paths': []}], runner.devices)
    entry.update(flushed=False, refused=None)
    if held:
        entry['refused'] = ('refused to flush map %s, whose LUN number now names another volume: %s; a later run '
                            'flushes it once nothing holds it' % (entry['map'], held_text(held)))
        runner.module.warn(entry['refused'])
        return entry
    runner.changed = True
    error = runner.flush_unqueued(entry['map'])
    entry['flushed'], entry['refused'] = error is None, error
    return entry


class DiskIdentity:
    """Each disk's identity read again by the kernel (sysfs; the root is injectable for tests)."""

    def __init__(self, sys_block=SYS_BLOCK, workers=8):
        self.sys_block = sys_block
        self.workers = workers

    def _rescan(self, disk):
        """The kernel reads the disk's identity (VPD) and capacity from the target again."""
        with open(os.path.join(self.sys_block, disk, 'device', 'rescan'), 'w', encoding='ascii') as handle:
            handle.write('1')

    def _one(self, disk, rescan):
        device = os.path.join(self.sys_block, disk, 'device')
        try:
            if rescan:
                self._rescan(disk)
            # A LU gone from the target answers with no capacity (0 after the rescan) and tgtd's
            # designator of LUN 0 (seen in the lab): not another volume, a LUN unmapped
            # (_lun_unserved's case).
            with open(os.path.join(self.sys_block, disk, 'size'), encoding='ascii') as handle:
                if handle.read().strip() in ('', '0'):
                    return None
            with open(os.path.join(device, 'wwid'), encoding='ascii') as handle:
                return multipath_wwid(handle.read())
        except OSError:
            return None  # gone meanwhile, or no identity to read: nothing to compare

    def sectors(self, names):
        """{block device: its size in 512-byte sectors, or None (also for no capacity)} as the kernel has it."""
        return dict((name, size or None) for name, size in self.capacity(names).items())

    def capacity(self, names, rescan=False):
        """{block device: its size in 512-byte sectors (0: no capacity), or None when unreadable};
        ``rescan`` first makes the kernel read each disk's capacity from the target again."""
        out = {}
        for name in names:
            try:
                if rescan:
                    self._rescan(name)
                with open(os.path.join(self.sys_block, name, 'size'), encoding='ascii') as handle:
                    out[name] = int(handle.read().strip())
            except (OSError, ValueError):
                out[name] = None
        return out

    def read(self, disks, rescan=True):
        """{disk: WWID or None}; ``rescan`` False (check mode) reads what the kernel has."""
        disks = sorted(set(d for d in disks if d))
        if not disks:
            return {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(self.workers, len(disks))) as pool:
            return dict(zip(disks, pool.map(lambda disk: self._one(disk, rescan), disks)))
