# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Carries a session plan out on the host: read once, write only what differs.

Order (make before break): record what is about to be created, create ifaces and node records,
log in (in parallel, each login bounded by its node record's timeouts), wait for the new paths,
read every path once, then log out the stale sessions one at a time, each only when every LUN
keeps an active path without it, and delete what the collection made and no longer needs.
"""

from __future__ import annotations

import concurrent.futures
import time

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import find_command
# The record is shared with iscsi_host_config (_host_record); read_record stays importable from here.
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_record import read_record, write_record
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_report import host_report, join_paths, path_key
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import (
    RC_NO_OBJECTS_FOUND, RC_SESSION_EXISTS, IscsiadmError, format_portal, node_args)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._lun_unserved import mapless_disks, pathless_plan, unserved_plan
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._lun_scan import ScsiHosts, disks_of, scan_hosts, scan_plan
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._multipath import read_paths
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import (
    describe, intended_record, key_of, make_plan, records_by_key, settled_record)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._shared_subnet import SharedSubnetSettings, nic_addresses
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._target_release import (
    BlockDevices, flush_map, leaving_targets, own_luns, refusal, stale_outcome, who_holds)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._lun_identity import DiskIdentity, mark_changed, recheck, resized_paths
# Seconds a new path may stay out of every multipath map before it is handed to multipathd.
ORPHAN_GRACE = 10
# Seconds udev may take to name the disks of LUNs a rescan found.
UDEV_SETTLE_SECONDS = 10


def node_selector(session, record_tpgts=None):
    """node_args, leaving out a portal group tag iscsiadm did not learn (-1). ``record_tpgts``
    (the plan's): a desired session whose node record the host has is selected by that record's
    tag, which the plan reports when it is not the engine's."""
    tpgt = (record_tpgts or {}).get(key_of(session), session.get('tpgt'))
    return node_args(dict(session, tpgt=tpgt if tpgt is not None and tpgt >= 0 else None))


class SessionRunner:
    """One run of the plan on this host; ``module`` is the AnsibleModule (run_command, warn)."""

    def __init__(self, module, iscsiadm, *, record_file, parallel_logins, wait, devices=None, scsi_hosts=None, identity=None):
        self.module = module
        self.iscsiadm = iscsiadm
        self.devices = devices or BlockDevices()
        self.identity = identity or DiskIdentity()
        self.scsi_hosts = scsi_hosts or ScsiHosts()
        self.record_file = record_file
        self.parallel_logins = max(1, parallel_logins)
        self.wait = max(0, wait)
        self.changed = False
        self.polls = 0
        self.still_coming = []
        self.orphans_added = []
        self.record_tpgts = {}
        self.session_exists = []

    # -- reads
    def read_host(self, desired):
        warn = self.module.warn
        ifaces = self.iscsiadm.ifaces(warn=warn)
        if desired:
            # Every record in one call. --show: the CHAP secret is compared in memory only, never
            # returned; only the records of desired sessions are kept.
            nodes = self.iscsiadm.node_records(show_secrets=True, warn=warn)
        else:  # nothing to compare a record with (a host leaving): the list, and no secret read
            nodes = [(node, None) for node in self.iscsiadm.nodes(warn=warn)]
        wanted = set(key_of(s) for s in desired)
        return {'ifaces': ifaces, 'nodes': [node for node, dummy in nodes], 'sessions': self.iscsiadm.sessions(warn=warn),
                'records': records_by_key((node, record) for node, record in nodes if key_of(node) in wanted)}

    def read_paths(self, sessions=None):
        """(sessions, LUNs with their paths); ``sessions`` when the caller has just read them."""
        if sessions is None:
            sessions = self.iscsiadm.sessions(warn=self.module.warn)
        mpaths = read_paths(self.module, warn=self.module.warn) if sessions else []
        return sessions, join_paths(sessions, mpaths)

    def plan(self, desired, *, common_settings, engine_owned, engine_targets, host_nics):
        host = self.read_host(desired)
        record = read_record(self.record_file)
        plan = make_plan(desired, host, record, common_settings=common_settings, engine_owned=engine_owned,
                         engine_targets=engine_targets, host_nics=host_nics)
        self.record_tpgts = plan.record_tpgts
        return host, record, plan

    # -- writes
    def run(self, args, what, ok_rcs=(0,)):
        self.changed = True
        return self.iscsiadm.run(args, what=what, ok_rcs=ok_rcs)

    def create(self, plan, record):
        """Record, then create: a run killed between the two leaves nothing unknown."""
        if plan.create_ifaces or plan.create_nodes:
            record = intended_record(record, plan)
            write_record(self.record_file, record)
        for name, device in plan.create_ifaces:
            self.run(['-m', 'iface', '-I', name, '-o', 'new'], 'create iface %s' % name)
            self.run(['-m', 'iface', '-I', name, '-o', 'update', '-n', 'iface.net_ifacename', '-v', device],
                     'bind iface %s to %s' % (name, device))
        for name, dummy, device in plan.rebind_ifaces:
            self.run(['-m', 'iface', '-I', name, '-o', 'update', '-n', 'iface.net_ifacename', '-v', device],
                     'bind iface %s to %s' % (name, device))
        for session in plan.create_nodes:
            self.run(node_selector(session) + ['-o', 'new'], 'create node record for %s' % describe(session))
        for session, values in plan.set_keys:
            # One call per record: iscsiadm takes several -n/-v pairs in one update.
            pairs = [arg for key in sorted(values) for arg in ('-n', key, '-v', values[key])]
            self.run(node_selector(session, self.record_tpgts) + ['-o', 'update'] + pairs,
                     'set %s on the node record for %s' % (', '.join(sorted(values)), describe(session)))
        return record

    def _login(self, session):
        try:
            rc, dummy = self.iscsiadm.run(node_selector(session, self.record_tpgts) + ['--login'],
                                          what='log in to %s' % describe(session), ok_rcs=(0, RC_SESSION_EXISTS))
            if rc == RC_SESSION_EXISTS:
                # A second record of the portal (another portal group tag) logged in beside this
                # one: the session is there, and it is never logged out for it (VDSM BZ 2083271, 2097614).
                self.session_exists.append('logging in to %s, iscsiadm said "session exists" (rc 15): the session is up '
                                           'and kept; the host has another node record for the portal' % describe(session))
            return None
        except IscsiadmError as exc:
            return 'login failed: %s' % login_reason(exc)

    def login(self, sessions):
        """Every login at once (at most ``parallel_logins`` running); {key: reason} of the failed."""
        if not sessions:
            return {}
        failed = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(self.parallel_logins, len(sessions))) as pool:
            results = dict((key_of(s), pool.submit(self._login, s)) for s in sessions)
        for key, future in results.items():
            if future.result():
                failed[key] = future.result()
        # A login that failed changed nothing: a re-run with a dead portal reports no change.
        self.changed = self.changed or len(failed) < len(sessions)
        for message in self.session_exists:
            self.module.warn(message)
        return failed

    def settle(self, desired, failed, logged_in_now, sessions=None):
        """Read the paths, again every two seconds while a path of a new session is still coming;
        the first read takes ``sessions`` when given (read just before, by the rescan).

        A path multipathd left out of every map for a while (an orphan: it saw the disk while it
        was busy, for example reading its configuration again) is handed to it once, as os-brick
        does (``multipathd add path``)."""
        started = time.monotonic()
        deadline = started + (self.wait if logged_in_now else 0)
        handed = set()
        fresh = sessions
        while True:
            sessions, luns = self.read_paths(fresh)
            fresh = None
            report = host_report(luns, sessions, desired, failed=failed)
            coming = [m for m in report['missing'] if path_key(m) not in failed] + report['targets_without_luns']
            self.polls += 1
            if not coming or time.monotonic() >= deadline:
                self.still_coming = coming
                return sessions, luns
            if time.monotonic() - started >= ORPHAN_GRACE:
                orphans = [p['device'] for lun in luns for p in lun['paths']
                           if p.get('device') and p.get('dm_state') is None and p['device'] not in handed]
                for device in orphans:
                    self.add_path(device)
                    handed.add(device)
            time.sleep(2)

    def rescan(self, host, desired):
        """Scan the logged-in sessions this run keeps for LUNs the target added since login, in
        process and without iscsiadm (``_lun_scan`` says why); (new disks, the sessions read
        after the scan, or None when nothing was scanned). New disks get a bounded moment for
        udev to name them."""
        hosts, no_host, dummy = scan_plan(host['sessions'], desired, host['records'])
        scanned = [s for group in hosts.values() for s in group] + no_host
        if not scanned:
            return [], None
        keys = set(key_of(s) for s in scanned)
        before = disks_of(host['sessions'], keys)
        for number, error in sorted(scan_hosts(self.scsi_hosts, hosts, workers=self.parallel_logins).items()):
            self.module.warn('rescan of SCSI host %d (%s) failed: %s' % (number, '; '.join(describe(s) for s in hosts[number]), error))
        for session in no_host:  # iscsiadm printed no host number: it finds the host itself
            self.iscsiadm.run(['-m', 'session', '-r', str(session['sid']), '--rescan'], what='rescan %s' % describe(session))
        sessions = self.iscsiadm.sessions(warn=self.module.warn)
        new = sorted(disks_of(sessions, keys) - before)
        if new:
            self.changed = True
            self.settle_udev()
        return new, sessions

    def settle_udev(self):
        udevadm = self.module.get_bin_path('udevadm')
        if udevadm:
            self.module.run_command([udevadm, 'settle', '--timeout=%d' % UDEV_SETTLE_SECONDS])

    def multipathd(self, *args, warn=True):
        """``multipathd ARGS``: its answer (rc and output in one line); warned about when it failed."""
        binary = find_command(self.module, 'multipathd', 'multipath-tools')
        rc, out, err = self.module.run_command([binary] + list(args), environ_update={'LC_ALL': 'C', 'LANG': 'C'})
        answer = (out or err or 'rc %d' % rc).strip()
        if warn and (rc != 0 or 'fail' in (out or '')):
            self.module.warn('multipathd %s: %s' % (' '.join(args), answer))
        return answer

    def flush_unqueued(self, name):
        """Flush map NAME after turning its queueing off: no path will come back to queue for, and
        I/O already queued (udev's probe of a LUN's change, seen in the lab) would otherwise keep the
        map 'in use' for the whole no_path_retry. None, or flush_map's error."""
        self.multipathd('disablequeueing', 'map', name)
        return flush_map(self.module, name)

    def add_path(self, device):
        self.orphans_added.append('%s: %s' % (device, self.multipathd('add', 'path', device, warn=False)))

    def remove_stale(self, plan, luns, staying=()):
        """Stale sessions out one at a time, each only while every LUN keeps another active path.

        A target that leaves the host altogether (no desired session nor any of ``staying``, the
        host's sessions that are not the collection's to remove, goes to it) is released first, as
        os-brick disconnects a volume: its maps flushed, its disks deleted, then its sessions logged
        out; or, when something holds its storage open, refused as a whole. Returns (left, kept,
        released, refused).
        """
        leaving = leaving_targets(plan.stale_sessions, list(plan.sessions) + list(plan.unreachable) + list(staying))
        released, refused = [], {}
        for target in leaving:
            outcome = self.release_target(target, luns)
            if isinstance(outcome, str):
                refused[target] = outcome
            else:
                released.append(outcome)
        going, kept = stale_outcome(plan.stale_sessions, luns, leaving, refused)
        for session in going:
            if session['target'].lower() not in leaving:  # a released target's disks are gone already
                self.detach_paths(luns, key_of(session))
            self.run(['-m', 'session', '-r', str(session['sid']), '-u'], 'log out of %s' % describe(session))
        kept_keys = set(key_of(s) for s in plan.stale_sessions) - set(key_of(s) for s in going)
        for node in plan.stale_nodes:
            if key_of(node) not in kept_keys and node['target'].lower() not in refused:
                self.run(node_selector(node) + ['-o', 'delete'], 'delete the node record for %s' % describe(node),
                         ok_rcs=(0, RC_NO_OBJECTS_FOUND))
        refusals = [dict(target=target, reason=reason) for target, reason in sorted(refused.items())]
        return going, kept, released, refusals

    def drain_rebound(self, plan):
        """Log out the sessions bound to a device their iface no longer names (``plan.relogins``),
        each only while every LUN keeps an active path without it, so that the logins that follow
        make them again through the new device. Returns (the desired sessions to log in again,
        [{target, iface, portal, reason}] of those kept for now)."""
        if not plan.relogins:
            return [], []
        dummy, luns = self.read_paths()
        going, kept = stale_outcome(plan.relogins, luns, (), {})
        for session in going:
            self.detach_paths(luns, key_of(session))
            self.run(['-m', 'session', '-r', str(session['sid']), '-u'],
                     'log out of %s (bound to %s, its iface now to another device)' % (describe(session), session.get('netdev')))
        desired = dict((key_of(s), s) for s in plan.sessions)
        for entry in kept:
            entry['reason'] += '; bound to the device its iface had before, it is logged in again through the new one by a later run'
        return [desired[key_of(s)] for s in going], kept

    def remove_stray_records(self, plan):
        """Delete the node records a discovery left to the desired targets (through `default` or
        an iface of ours, not desired, not logged in): with startup automatic, a reboot logs them
        in. Returns their {target, portal, iface}."""
        for node in plan.stray_nodes:
            self.run(node_selector(node) + ['-o', 'delete'], 'delete the node record for %s' % describe(node),
                     ok_rcs=(0, RC_NO_OBJECTS_FOUND))
        return [node_entry(node) for node in plan.stray_nodes]

    def detach_paths(self, luns, key):
        """Take a leaving session's disks out of their maps, then delete them, before the logout.

        Logged out under I/O with its disks still in a map, a session can take an I/O with it that
        device-mapper never gets back (seen in the lab: fio waiting for ever on a healthy map after
        the logout). Out of the map first, its I/O drains to the other paths; os-brick also removes
        a disk before the logout."""
        for lun in luns:
            for path in lun['paths']:
                if not path.get('device') or path_key(path) != key:
                    continue
                self.changed = True
                if path.get('dm_state') is not None:
                    self.del_path(path['device'])
                self.devices.delete_scsi_disk(path['device'])

    def del_path(self, device):
        self.multipathd('del', 'path', device)

    def release_target(self, target, luns):
        """Flush the maps and delete the disks of a leaving target's own LUNs (not those another
        target still serves); the refusal message instead when any of them is held open."""
        own, maps, held = release_plan(target, luns, self.devices)
        if held:
            return refusal(target, held)
        for name in maps:
            self.changed = True
            error = flush_map(self.module, name)
            if error:
                return 'refused to release %s: %s; its sessions were kept' % (target, error)
        disks = sorted(p['device'] for lun in own for p in lun['paths'] if p.get('device'))
        for disk in disks:
            self.changed = True
            self.devices.delete_scsi_disk(disk)
        return {'target': target, 'maps_flushed': maps, 'disks_deleted': disks}

    def release_unserved(self, luns, desired, known_maps=()):
        """The maps and disks of LUNs the target no longer serves (_lun_unserved), taken away
        unless held; a refusal is a warning too. Returns unserved_plan's entries, each with
        ``released`` (True when its map was flushed and its disks deleted). The disks of no map are
        rescanned first: a LUN gone from the target reads no capacity then."""
        keys = set(key_of(s) for s in desired)
        capacity = self.identity.capacity(mapless_disks(luns, keys), rescan=True)
        entries = unserved_plan(luns, keys, self.devices, capacity)
        self._release(entries)
        # After the deletes: a map whose disks multipathd no longer knew has no path now.
        known = set(known_maps) | set(entry['map'] for entry in entries if entry['map'])
        pathless = pathless_plan(self.devices.pathless_maps(), self.devices, known)
        self._release(pathless)
        return entries + pathless

    def _release(self, entries):
        for entry in entries:
            entry['released'] = False
            if entry['refused'] is None:
                self.changed = True
                error = self.flush_unqueued(entry['map']) if entry['map'] else None
                if error:
                    entry['refused'] = 'the map of LUN %s, which its target no longer serves, stays: %s' % (entry['wwid'], error)
                else:
                    for disk in entry['disks']:
                        self.devices.delete_scsi_disk(disk)
                    entry['released'] = True
            if entry['refused']:
                self.module.warn(entry['refused'])

    def remove_ifaces(self, names):
        """Ifaces the collection made that no node record or session uses any more."""
        if not names:
            return []
        nodes, sessions = self.iscsiadm.nodes(warn=self.module.warn), self.iscsiadm.sessions(warn=self.module.warn)
        used = set(n['iface'] for n in nodes) | set(s['iface'] for s in sessions)
        removed = [name for name in names if name not in used]
        for name in removed:
            self.run(['-m', 'iface', '-I', name, '-o', 'delete'], 'delete iface %s' % name)
        return removed

    def remember_reused(self, record, maps):
        """The maps a reused LUN left that could not be flushed, kept in the record: a later run
        flushes them once nothing holds them (no path leads to them any more)."""
        pending = sorted(entry['map'] for entry in maps if entry['refused'])
        if pending != sorted(record.get('reused_maps') or []):
            record = dict(record, reused_maps=pending) if pending else dict((k, v) for k, v in record.items() if k != 'reused_maps')
            write_record(self.record_file, record)
        return record

    def finish_record(self, record, host=None):
        """What the record lists and the host still has (read again after changes), written only
        when it differs from the record."""
        if host is None:
            host = {'ifaces': self.iscsiadm.ifaces(warn=self.module.warn), 'nodes': self.iscsiadm.nodes(warn=self.module.warn)}
        settled = settled_record(record, host)
        if settled != record:
            write_record(self.record_file, settled)
        return settled


def login_reason(exc):
    """iscsiadm's own reason for a failed login ('initiator reported error (8 - connection timed out)')."""
    lines = [line.strip() for line in (exc.stderr or '').splitlines() if line.strip()]
    reasons = [line.split('iscsiadm: ', 1)[-1] for line in lines if 'error' in line.lower()]
    return (reasons or lines or [exc.msg])[-1]


def converge(module, iscsiadm, desired, *, options):
    """The whole run; returns (changed, report, plan)."""
    runner = SessionRunner(module, iscsiadm, record_file=options['record_file'], parallel_logins=options['parallel_logins'],
                           wait=options['wait'])
    host, record, plan = runner.plan(desired, common_settings=options['common_settings'], engine_owned=options['engine_owned'],
                                     engine_targets=options['engine_targets'], host_nics=options['host_nics'])
    # Before any login: strict reverse-path filtering drops the replies of a second NIC in a subnet.
    bound = [s['net_ifacename'] for s in desired if s.get('net_ifacename')] if options['shared_subnet_sysctls'] else []
    subnet_changed, shared_subnet = SharedSubnetSettings().converge(
        nic_addresses(module), bound, check_mode=module.check_mode or options['verify_only'])
    if module.check_mode or options['verify_only']:
        sessions, luns = runner.read_paths()
        # What the kernel has (no rescan: check mode changes nothing, verify only reads).
        live, wwid_changed, dummy, dummy = recheck(runner, luns, rescan=False)
        luns = mark_changed(luns, live)
        resized = resized_paths(runner, luns, live)
        keys = set(key_of(s) for s in plan.sessions)
        capacity = runner.identity.capacity(mapless_disks(luns, keys))
        unserved = unserved_plan(luns, keys, runner.devices, capacity)
        unserved += pathless_plan(runner.devices.pathless_maps(), runner.devices, set(entry['map'] for entry in unserved if entry['map']))
        unserved = [dict(entry, released=False) for entry in unserved]
        report = host_report(luns, sessions, plan.sessions, unreachable=plan.unreachable,
                             would_login=plan.logins if module.check_mode else (), leaving=(), kept=(),
                             refused=unserved_refusals(unserved), unserved=[entry['wwid'] for entry in unserved])
        would_change = bool(plan.create_ifaces or plan.rebind_ifaces or plan.create_nodes or plan.set_keys or plan.logins
                            or plan.relogins or plan.stale_sessions or plan.stray_nodes or plan.stale_nodes or plan.stale_ifaces
                            or subnet_changed or any(entry['refused'] is None for entry in unserved))
        report['shared_subnet'] = shared_subnet
        report['would_release'] = would_release(plan, luns, runner.devices, staying=staying_sessions(host, plan))
        report['unserved_luns'] = unserved
        report['wwid_changed'] = wwid_changed
        report['reused_luns'] = []
        report['resized_luns'] = resized
        report['stray_records_deleted'] = []
        report['would_delete_records'] = [node_entry(node) for node in plan.stray_nodes]
        return (would_change and not options['verify_only']), report, plan
    runner.changed = subnet_changed
    clock = Stopwatch()
    record = runner.create(plan, record)
    clock.lap('create')
    relogins, kept_bound = runner.drain_rebound(plan)
    failed = runner.login(list(plan.logins) + relogins)
    clock.lap('login')
    new_disks, rescanned = runner.rescan(host, plan.sessions)
    clock.lap('rescan')
    logged_in_now = bool(set(key_of(s) for s in list(plan.logins) + relogins) - set(failed)) or bool(new_disks)
    sessions, luns = runner.settle(plan.sessions, failed, logged_in_now=logged_in_now, sessions=rescanned)
    clock.lap('wait_for_paths')
    live, wwid_changed, reused_maps, reread = recheck(runner, luns, pending=record.get('reused_maps') or [])
    if reread is not None:
        sessions, luns = reread
    luns = mark_changed(luns, live)
    resized = resized_paths(runner, luns, live)
    record = runner.remember_reused(record, reused_maps)
    clock.lap('identities')
    unserved = runner.release_unserved(luns, plan.sessions, known_maps=[entry['map'] for entry in reused_maps])
    if any(entry['released'] for entry in unserved):
        sessions, luns = runner.read_paths()
    leaving, kept, released, refused = runner.remove_stale(plan, luns, staying=staying_sessions(host, plan))
    stray_deleted = runner.remove_stray_records(plan)
    removed_ifaces = runner.remove_ifaces(plan.stale_ifaces)
    runner.finish_record(record, None if runner.changed else host)
    clock.lap('remove_stale')
    report = host_report(luns, sessions, plan.sessions, unreachable=plan.unreachable, failed=failed, leaving=leaving,
                         leaving_ifaces=removed_ifaces, kept=kept + kept_bound,
                         refused=refused + unserved_refusals(unserved) + reused_refusals(reused_maps),
                         unserved=[entry['wwid'] for entry in unserved])
    report['seconds'] = dict(clock.laps, path_reads=runner.polls, total=round(sum(clock.laps.values()), 1))
    report['still_coming'] = runner.still_coming
    report['orphan_paths_added'] = runner.orphans_added
    report['new_disks'] = new_disks
    report['released'] = released
    report['unserved_luns'] = unserved
    report['stray_records_deleted'] = stray_deleted
    report['wwid_changed'] = wwid_changed
    report['reused_luns'] = reused_maps
    report['resized_luns'] = resized
    report['shared_subnet'] = shared_subnet
    return runner.changed, report, plan


def node_entry(node):
    return {'target': node['target'], 'portal': format_portal(node['address'], node['port']), 'iface': node['iface'],
            'tpgt': node.get('tpgt')}


def reused_refusals(maps):
    """The report's ``refused`` entries of maps a reused LUN left that something holds or that would not flush."""
    return [dict(target=None, map=entry['map'], reason=entry['refused']) for entry in maps if entry['refused']]


def unserved_refusals(unserved):
    """The report's ``refused`` entries of unserved LUNs something holds (the host is degraded)."""
    return [dict(target=entry['target'], reason=entry['refused']) for entry in unserved if entry['refused']]


def staying_sessions(host, plan):
    """The host's sessions the plan does not remove (another's, or desired): a target one of them
    goes to stays on the host, so its maps and disks are not the run's to take away. A session
    whose node record the plan removes (one in recovery, not logged out) does not stay."""
    stale = set(key_of(s) for s in list(plan.stale_sessions) + list(plan.stale_nodes))
    return [s for s in host['sessions'] if key_of(s) not in stale]


def would_release(plan, luns, devices, staying=()):
    """Check mode: each target that would leave, and whether it would be released or refused."""
    out = []
    for target in leaving_targets(plan.stale_sessions, list(plan.sessions) + list(plan.unreachable) + list(staying)):
        dummy, maps, held = release_plan(target, luns, devices)
        out.append({'target': target, 'maps': maps, 'refused': refusal(target, held) if held else None})
    return out


def release_plan(target, luns, devices):
    """(own LUNs, their maps, what holds them) of a leaving target: what a release would take."""
    own = own_luns(luns, target)
    return own, sorted(set(lun['map'] for lun in own if lun.get('map'))), who_holds(own, devices)


class Stopwatch:
    """Seconds spent per phase of a run, for the report (where a slow host spends its time)."""

    def __init__(self):
        self.laps = {}
        self._last = time.monotonic()

    def lap(self, name):
        now = time.monotonic()
        self.laps[name] = round(now - self._last, 1)
        self._last = now
