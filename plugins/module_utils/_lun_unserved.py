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
"""

from __future__ import annotations

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_report import path_key
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._target_release import held_text, who_holds


def unserved_luns(luns, desired_keys):
    """The LUN entries (join_paths) of the collection's sessions (``desired_keys``) that the target
    no longer serves."""
    carrying = set(path_key(p) for lun in luns for p in lun['paths'] if p['active'])

    def dead_on_a_live_session(path):
        key = path_key(path)
        return (key in desired_keys and key in carrying and path.get('checker_state') == 'faulty'
                and path.get('session_state') == 'LOGGED_IN' and path.get('scsi_state') in (None, 'running'))

    return [lun for lun in luns if lun['paths'] and not lun['active_paths'] and lun.get('map')
            and all(dead_on_a_live_session(p) for p in lun['paths'])]


def unserved_plan(luns, desired_keys, devices):
    """[{wwid, map, disks, refused}] for each unserved LUN: ``refused`` (the message) when something
    holds its map or disks open, else None (the map is flushed and the disks deleted)."""
    plan = []
    for lun in unserved_luns(luns, desired_keys):
        held = who_holds([lun], devices)
        refused = None
        if held:
            refused = 'refused to flush the map of LUN %s, which its target no longer serves: %s; nothing of it was changed' % (
                lun['wwid'], held_text(held))
        plan.append({'wwid': lun['wwid'], 'map': lun['map'], 'target': lun['paths'][0]['target'],
                     'disks': sorted(p['device'] for p in lun['paths'] if p.get('device')), 'refused': refused})
    return plan
