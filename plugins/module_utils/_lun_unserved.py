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
a device multipath leaves out) is left alone.
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


def mapless_disks(luns, desired_keys):
    """The disks whose capacity tells whether their LUN is unserved: every disk of each LUN entry
    that has no map and whose every path has a disk of no map on a live session."""
    live = _on_a_live_session(luns, desired_keys)
    return sorted(p['device'] for lun in luns if _mapless(lun, live) for p in lun['paths'])


def _mapless(lun, live):
    return (lun['paths'] and not lun.get('map') and not lun['active_paths']
            and all(p.get('device') and p.get('dm_state') is None and live(p) for p in lun['paths']))


def unserved_luns(luns, desired_keys, capacity=None):
    """The LUN entries (join_paths) of the collection's sessions (``desired_keys``) that the target
    no longer serves. ``capacity`` ({disk: 512-byte sectors, None when unreadable}, read after a
    rescan) of mapless_disks' disks: the LUNs whose map is gone count when every disk reads 0."""
    live = _on_a_live_session(luns, desired_keys)
    capacity = capacity or {}

    def faulty(path):
        return path.get('checker_state') == 'faulty' and live(path)

    return [lun for lun in luns
            if (lun['paths'] and not lun['active_paths'] and lun.get('map') and all(faulty(p) for p in lun['paths']))
            or (_mapless(lun, live) and all(capacity.get(p['device']) == 0 for p in lun['paths']))]


def unserved_plan(luns, desired_keys, devices, capacity=None):
    """[{wwid, map, disks, refused}] for each unserved LUN: ``refused`` (the message) when something
    holds its map or disks open, else None (the map, where it still has one, is flushed and the
    disks deleted)."""
    plan = []
    for lun in unserved_luns(luns, desired_keys, capacity):
        held = who_holds([lun], devices)
        refused = None
        if held:
            action = 'flush the map' if lun.get('map') else 'delete the disks'
            refused = 'refused to %s of LUN %s, which its target no longer serves: %s; nothing of it was changed' % (
                action, lun['wwid'], held_text(held))
        plan.append({'wwid': lun['wwid'], 'map': lun['map'], 'target': lun['paths'][0]['target'],
                     'disks': sorted(p['device'] for p in lun['paths'] if p.get('device')), 'refused': refused})
    return plan
