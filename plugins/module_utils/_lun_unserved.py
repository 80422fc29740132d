# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A LUN the target stopped serving while its sessions stay up (unmapped on the array).

The kernel never forgets such a LUN by itself: a rescan only adds devices (kubernetes#59946), so
its SCSI disks stay 'running', every I/O to them fails ('Logical unit not supported'), multipathd's
checker marks every path faulty and the map queues for ``no_path_retry``. os-brick and the CSI
drivers take the map and its disks away when a volume is detached; here nothing detaches it, so a
run does it when nothing holds the map, and refuses (naming the holder) when something does.

Told apart from an outage by the sessions themselves: every path of the LUN is faulty while its
session is logged in and carries another LUN's active path, so the target answers on that very
session and only this LU fails. A target that answers nothing (every LUN pathless) is an outage:
its maps stay and queue. A LUN whose paths are still coming (a new LUN, checker not yet ready) is
not faulty and is left alone.

Its map may be gone already (an administrator's ``multipath -f``, a tool that flushed it, a run
that flushed it and died) while its disks stay: multipathd keeps them as orphans of no map, and
the host would read as lacking every path of a LUN that no longer exists. A disk of no map on such
a session that reads no capacity after a rescan (the target answers 'Logical unit not supported'
to READ CAPACITY; seen in the lab, tests/lab/capture-lun-fixtures) is the same LUN's leftover and
is deleted unless held. A disk of no map that still has a capacity (a new LUN whose map is coming,
a device multipath leaves out) is left alone. A map named by its WWID that its disks left is still
its map: flushed first, or refused when held.

A multipath map with no path at all is what such a LUN leaves when multipathd no longer knows its
disks (seen in the lab: the disks gone from multipathd's table, fio holding the map, which queued
and no report named). iSCSI never takes a disk away by itself (a dead session keeps its disks
blocked), so such a map lost its disks to someone's delete: it is flushed unless held, and a held
one is refused naming the holder, as an unserved LUN's.
"""

from __future__ import annotations

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_report import path_key
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._target_release import held_text, who_holds


def _on_a_live_session(luns, desired_keys):
    """A test of a path: it goes through one of the collection's sessions (``desired_keys``) that is
    logged in and carries another LUN's active path, and its disk is running."""
    carrying = set(path_key(p) for lun in luns for p in lun['paths'] if p['active'])

    def test(path):
        key = path_key(path)
        return (key in desired_keys and key in carrying and path.get('session_state') == 'LOGGED_IN'
                and path.get('scsi_state') in (None, 'running'))
    return test


def _pathless(luns, desired_keys):
    """The LUN entries with paths but no active one, every path on a live session."""
    live = _on_a_live_session(luns, desired_keys)
    return [lun for lun in luns if lun['paths'] and not lun['active_paths'] and all(live(p) for p in lun['paths'])]


def mapless_disks(luns, desired_keys):
    """The disks whose capacity tells whether their LUN is unserved: those in no map, of LUN entries
    with no active path on the collection's live sessions."""
    return sorted(p['device'] for lun in _pathless(luns, desired_keys) for p in lun['paths'] if p.get('device') and p.get('dm_state') is None)


def unserved_luns(luns, desired_keys, capacity=None):
    """The LUN entries (join_paths) of the collection's sessions (``desired_keys``) that the target
    no longer serves: every path faulty in its map, or in no map with a disk of no capacity
    (``capacity``, {disk: 512-byte sectors, None when unreadable}, read after a rescan of
    mapless_disks' disks), on sessions that carry another LUN's active path."""
    capacity = capacity or {}

    def dead(path):
        if path.get('dm_state') is None:
            return bool(path.get('device')) and capacity.get(path['device']) == 0
        return path.get('checker_state') == 'faulty'

    return [lun for lun in _pathless(luns, desired_keys) if all(dead(p) for p in lun['paths'])]


def unserved_plan(luns, desired_keys, devices, capacity=None):
    """[{wwid, map, disks, refused}] for each unserved LUN: ``refused`` (the message) when something
    holds its map or disks open, else None (the map, where it still has one, is flushed and the
    disks deleted)."""
    plan = []
    for lun in unserved_luns(luns, desired_keys, capacity):
        if not lun.get('map') and devices.dm_of_map(lun['wwid']):
            # Its disks left a map that stays: multipathd (recheck_wwid) takes a path out of its map
            # when a rescan gives it another WWID, which a LU gone from tgtd does (LUN 0's
            # designator). Seen in the lab with fio holding that map: the map is the LUN's still.
            lun = dict(lun, map=lun['wwid'])
        held = who_holds([lun], devices)
        refused = None
        if held:
            action = 'flush the map' if lun.get('map') else 'delete the disks'
            refused = 'refused to %s of LUN %s, which its target no longer serves: %s; nothing of it was changed' % (
                action, lun['wwid'], held_text(held))
        plan.append({'wwid': lun['wwid'], 'map': lun['map'], 'target': lun['paths'][0]['target'],
                     'disks': sorted(p['device'] for p in lun['paths'] if p.get('device')), 'refused': refused})
    return plan


def pathless_plan(names, devices, known=()):
    """unserved_plan's entries for multipath maps with no path left (``names``; ``known``: maps
    another part of the run already handles): ``target`` None, no disks."""
    plan = []
    for name in names:
        if name in known:
            continue
        held = who_holds([{'wwid': name, 'map': name, 'paths': []}], devices)
        refused = None
        if held:
            refused = 'refused to flush map %s, which has no path left: %s; nothing of it was changed' % (name, held_text(held))
        plan.append({'wwid': name, 'map': name, 'target': None, 'disks': [], 'refused': refused})
    return plan
