# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A target that leaves the host: its maps flushed, its SCSI disks deleted, then its sessions out.

Logging out first (what iscsiadm alone does) leaves multipath maps with every path failed, which
queue I/O for ever under ``no_path_retry queue`` and keep LVM scanning dead disks: os-brick's
``disconnect_volume`` flushes the map, deletes each SCSI disk, and only then logs out. A map that
something holds open (a mount, LVM, a VM disk, a process) is never taken away: the target is
refused, with the map and its holder named, and nothing of it is touched.
"""

from __future__ import annotations

import os
import time

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import find_command
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_report import last_path_of
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import format_portal
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import key_of

SYS_BLOCK = '/sys/block'
# Processes that keep a disk open as part of the multipath stack itself, not as its users:
# multipathd's path checkers hold every path open, udev workers probe new devices.
STACK_PROCESSES = ('multipathd', 'systemd-udevd', '(udev-worker)', 'udevd')
FLUSH_ATTEMPTS = 3


def leaving_targets(stale_sessions, desired):
    """Targets of stale sessions that no desired session goes to any more (lower-cased)."""
    staying = set(s['target'].lower() for s in desired)
    return sorted(set(s['target'].lower() for s in stale_sessions) - staying)


def stale_outcome(stale_sessions, luns, leaving, refused):
    """Which stale sessions go, in order, and which stay and why (pure, so that check mode
    predicts what a run does): a session of a ``refused`` target stays; one of a target that
    stays on the host (not ``leaving``) goes only while every LUN keeps another active path, the
    sessions before it counted as gone. Returns (going, kept)."""
    gone, going, kept = set(), [], []
    for session in stale_sessions:
        key, target = key_of(session), session['target'].lower()
        reason = refused.get(target)
        if not reason and target not in leaving:
            blocked = last_path_of(luns, key, gone)
            reason = blocked and 'kept: the last active path of %s' % ', '.join(blocked)
        if reason:
            kept.append(dict(target=session['target'], iface=session['iface'],
                             portal=format_portal(session['address'], session['port']), reason=reason))
            continue
        going.append(session)
        gone.add(key)
    return going, kept


def own_luns(luns, target):
    """The LUN entries (join_paths) that only ``target`` serves: those a release takes away. A LUN
    that another target also serves (arrays with one IQN per port) keeps its map."""
    return [lun for lun in luns if lun['paths'] and all(p['target'].lower() == target for p in lun['paths'])]


class BlockDevices:
    """What holds a block device open, read from sysfs and /proc (roots injectable for tests)."""

    def __init__(self, sys_block=SYS_BLOCK, proc='/proc', dev='/dev'):
        self.sys_block = sys_block
        self.proc = proc
        self.dev = dev

    def dm_of_map(self, name):
        """'dm-3' for a multipath map name, None when there is no such map."""
        try:
            return os.path.basename(os.path.realpath(os.path.join(self.dev, 'mapper', name))) if os.path.exists(
                os.path.join(self.dev, 'mapper', name)) else None
        except OSError:
            return None

    def pathless_maps(self):
        """Names of the multipath maps (device-mapper uuid ``mpath-...``) that have no path left."""
        names = []
        for kernel_name in sorted(n for n in os.listdir(self.sys_block) if n.startswith('dm-')):
            try:
                with open(os.path.join(self.sys_block, kernel_name, 'dm', 'uuid'), encoding='utf-8') as handle:
                    multipath = handle.read().startswith('mpath-')
                pathless = not os.listdir(os.path.join(self.sys_block, kernel_name, 'slaves'))
            except OSError:
                continue  # gone meanwhile
            if multipath and pathless:
                names.append(self._dm_name(kernel_name))
        return names

    def _dm_name(self, kernel_name):
        try:
            with open(os.path.join(self.sys_block, kernel_name, 'dm', 'name'), encoding='utf-8') as handle:
                return handle.read().strip()
        except OSError:
            return kernel_name

    def _dev_numbers(self, kernel_name):
        try:
            with open(os.path.join(self.sys_block, kernel_name, 'dev'), encoding='ascii') as handle:
                return handle.read().strip()
        except OSError:
            return None

    def holders(self, kernel_name):
        """Human-readable holders of one block device: device-mapper devices on it (LVM),
        mounts of it, and processes with it open."""
        found = []
        try:
            for holder in sorted(os.listdir(os.path.join(self.sys_block, kernel_name, 'holders'))):
                found.append('device-mapper device %s on it' % self._dm_name(holder))
        except OSError:
            pass
        numbers = self._dev_numbers(kernel_name)
        found.extend('mounted on %s' % point for point in self._mounts(numbers))
        found.extend('open by %s (pid %s)' % (comm, pid) for pid, comm in self._openers(kernel_name))
        return found

    def _mounts(self, numbers):
        if not numbers:
            return []
        points = []
        try:
            with open(os.path.join(self.proc, 'self', 'mountinfo'), encoding='utf-8') as handle:
                for line in handle:
                    fields = line.split()
                    if len(fields) > 4 and fields[2] == numbers:
                        points.append(fields[4])
        except OSError:
            pass
        return points

    def _openers(self, kernel_name):
        target = os.path.join(self.dev, kernel_name)
        openers = []
        for pid in sorted((p for p in os.listdir(self.proc) if p.isdigit()), key=int):
            fd_dir = os.path.join(self.proc, pid, 'fd')
            try:
                links = [os.readlink(os.path.join(fd_dir, fd)) for fd in os.listdir(fd_dir)]
            except OSError:
                continue  # gone, or not ours to read
            if target in links:
                try:
                    with open(os.path.join(self.proc, pid, 'comm'), encoding='utf-8') as handle:
                        comm = handle.read().strip()
                except OSError:
                    comm = '?'
                if comm not in STACK_PROCESSES:
                    openers.append((pid, comm))
        return openers

    def delete_scsi_disk(self, disk):
        """Tell the SCSI layer to forget a disk (as os-brick's remove_scsi_device does)."""
        path = os.path.join(self.sys_block, disk, 'device', 'delete')
        if os.path.exists(path):
            with open(path, 'w', encoding='ascii') as handle:
                handle.write('1')


def who_holds(luns, devices):
    """[(map or disk, [holder, ...])] of the LUNs' maps and disks that something holds open."""
    held = []
    for lun in luns:
        if lun.get('map'):
            dm = devices.dm_of_map(lun['map'])
            holders = devices.holders(dm) if dm else []
            if holders:
                held.append(('map %s (%s)' % (lun['map'], lun['wwid']), holders))
        for path in lun['paths']:
            if not path.get('device'):
                continue
            holders = [h for h in devices.holders(path['device']) if not h.startswith('device-mapper device %s ' % lun.get('map'))]
            if holders:
                held.append(('disk %s (%s)' % (path['device'], lun['wwid']), holders))
    return held


def held_text(held):
    """who_holds' answer in words: 'map NAME (WWID) is held: open by fio (pid 4711); ...'."""
    return '; '.join('%s is held: %s' % (what, ', '.join(holders)) for what, holders in held)


def refusal(target, held):
    """The message for a target whose storage is in use."""
    return 'refused to release %s: %s; nothing of it was changed (stop what uses it, then run again)' % (target, held_text(held))


def flush_map(module, name, attempts=FLUSH_ATTEMPTS, sleep=time.sleep):
    """``multipath -f NAME``, a few times (udev may hold it for a moment); returns None or the error."""
    binary = find_command(module, 'multipath', 'multipath-tools')
    message = ''
    for attempt in range(attempts):
        rc, out, err = module.run_command([binary, '-f', name], environ_update={'LC_ALL': 'C', 'LANG': 'C'})
        if rc == 0:
            return None
        message = (err or out or 'rc %d' % rc).strip()
        if attempt + 1 < attempts:
            sleep(1)
    return 'multipath -f %s failed %d times: %s' % (name, attempts, message)
