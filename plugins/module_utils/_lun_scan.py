# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LUNs a target added after login: the kept sessions' SCSI hosts scanned in process, no iscsiadm.

Why this way (issue 19: a re-run with nothing to change must not pay a rescan per session):

- Not only where the engine's plan expects a LUN the host does not see: the plan
  (``iscsi_bond_info``'s host plan) carries sessions, not LUNs, and the engine learns of a new
  LUN from a host (VDSM's device list, which rescans first) before any storage domain holds it.
  A LUN added on the target after login (the e2e's ``lab lun add``) must show up on the next run
  although no plan names it, so every kept session is scanned on every run.
- Not ``iscsiadm -m session -r SID --rescan`` per session (what the role did): one iscsiadm
  process each, 0.1-0.5 s apiece on the lab's emulated guests, and it also re-reads every
  existing disk of the session (its ``rescan`` attribute: size changes), I/O per disk per run.
- Not one ``iscsiadm -m session -R``: one process, but it scans and re-reads the disks of every
  session of the host, those this collection does not own too (another initiator user's, VDSM's
  to targets outside the plan). VDSM may do that: the host's sessions are all its own.
- What iscsiadm does for a scan is to write ``- - -`` (every channel, target and LUN) to
  ``/sys/class/scsi_host/hostN/scan`` (open-iscsi ``iscsi_sysfs_scan_host``). Done here for the
  kept sessions' hosts only, it costs no process: the kernel sends one REPORT LUNS per session
  and probes only LUNs it has no device for yet. The writes run side by side (each blocks while
  its session answers), so a slow target costs its own time once, not once per session.
- A session whose node record says ``node.session.scan = manual`` is not scanned (iscsiadm
  skips it too): whoever set it (os-brick does) adds the LUNs it wants itself.
"""

from __future__ import annotations

import concurrent.futures
import os

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import key_of

SCSI_HOST_CLASS = '/sys/class/scsi_host'
# Every channel, target and LUN of the host: what iscsiadm writes for a rescan.
SCAN_ALL = '- - -'
SCAN_MODE = 'node.session.scan'


def scan_plan(sessions, desired, records):
    """What to scan among the host's ``sessions``: those of ``desired`` (kept by this run) that
    are logged in. Returns (hosts {SCSI host number: [sessions]}, no_host [sessions iscsiadm
    printed no host number for], manual [sessions whose node record asks for manual scans])."""
    wanted = set(key_of(s) for s in desired)
    hosts, no_host, manual = {}, [], []
    for session in sessions:
        if not session.get('address') or key_of(session) not in wanted or session.get('session_state') != 'LOGGED_IN':
            continue
        if (records.get(key_of(session)) or {}).get(SCAN_MODE) == 'manual':
            manual.append(session)
        elif session.get('host_number') is None:
            no_host.append(session)
        else:
            hosts.setdefault(session['host_number'], []).append(session)
    return hosts, no_host, manual


def disks_of(sessions, keys):
    """The SCSI disks attached to the sessions whose key is in ``keys``."""
    return set(d['disk'] for s in sessions if s.get('address') and key_of(s) in keys
               for d in s.get('devices', []) if d.get('disk'))


class ScsiHosts:
    """The kernel's SCSI hosts (``/sys/class/scsi_host``; the root is injectable for tests)."""

    def __init__(self, root=SCSI_HOST_CLASS):
        self.root = root

    def scan(self, number):
        """Scan one host for LUNs it has no device for yet; returns when the kernel is done."""
        with open(os.path.join(self.root, 'host%d' % number, 'scan'), 'w', encoding='ascii') as handle:
            handle.write(SCAN_ALL)


def scan_hosts(scsi_hosts, numbers, *, workers):
    """Scan the hosts side by side; {number: error text} of those whose scan failed."""
    numbers = sorted(set(numbers))
    if not numbers:
        return {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(workers, len(numbers)))) as pool:
        futures = dict((number, pool.submit(scsi_hosts.scan, number)) for number in numbers)
    failed = {}
    for number, future in futures.items():
        error = future.exception()
        if isinstance(error, OSError):  # the host went away meanwhile, sysfs refused the write
            failed[number] = error.strerror or str(error)
        elif error is not None:
            raise error
    return failed
