# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per LUN, its paths; per host, its state as the engine decides it (pure).

``join_paths`` joins iscsiadm's sessions with multipathd's path table on the SCSI disk. The host
state follows the engine (``ISCSIStorageHelper.isConnectSucceeded``): a host is up while every
LUN has a path, so one lost network makes it ``degraded``, not ``non operational``.
"""

from __future__ import annotations

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import format_portal, split_portal
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._multipath import path_is_active
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session import (
    DEFAULT_IFACE, DEFAULT_NETWORK, key_of, node_key, report_entry)

OPERATIONAL = 'operational'
DEGRADED = 'degraded'
NON_OPERATIONAL = 'non operational'
NO_SESSION = 'no logged-in session'


def session_view(session):
    return {
        'sid': session.get('sid'), 'target': session.get('target'),
        'portal': format_portal(session['address'], session['port']) if session.get('address') else None,
        'iface': session.get('iface'), 'netdev': session.get('netdev') or '', 'ipaddress': session.get('ipaddress') or '',
        'session_state': session.get('session_state'), 'connection_state': session.get('connection_state'),
        'disks': [d['disk'] for d in session.get('devices', []) if d.get('disk')],
    }


def join_paths(sessions, mpaths):
    """iSCSI sessions x multipathd paths, joined on the SCSI disk name -> LUN entries."""
    by_device = {p['device']: p for p in mpaths if p.get('device')}
    luns = {}
    for session in sessions:
        view = session_view(session)
        for disk in session.get('devices', []):
            if not disk.get('disk'):
                continue
            mpath = by_device.get(disk['disk'], {})
            wwid = mpath.get('wwid') or 'unknown:%s' % disk['disk']
            lun = luns.setdefault(wwid, {'wwid': wwid, 'map': mpath.get('map'), 'active_paths': 0, 'paths': []})
            lun['map'] = lun['map'] or mpath.get('map')
            path = {
                'device': disk['disk'], 'hctl': disk.get('hctl'), 'target': view['target'], 'portal': view['portal'],
                'iface': view['iface'], 'netdev': view['netdev'], 'ipaddress': view['ipaddress'], 'sid': view['sid'],
                'session_state': view['session_state'], 'dm_state': mpath.get('dm_state'),
                'checker_state': mpath.get('checker_state'), 'device_state': mpath.get('device_state') or disk.get('state'),
                'scsi_state': disk.get('state'),
                'active': bool(mpath) and path_is_active(mpath) and _kernel_carries_io(view['session_state'], disk.get('state')),
            }
            lun['paths'].append(path)
            lun['active_paths'] += int(path['active'])
    return sorted(luns.values(), key=lambda lun: lun['wwid'])


def _kernel_carries_io(session_state, disk_state):
    """The kernel's word on a path, beside multipathd's: multipathd learns of a dead session only
    at its next check (polling_interval), so for up to that long after a cut it still prints the path
    active/ready while the session is FREE and its SCSI disk transport-offline (seen in the lab's
    non-operational proof). Such a path carries no I/O; an unknown state (not printed) does not veto."""
    return session_state in (None, 'LOGGED_IN') and disk_state in (None, 'running')


def path_key(path):
    address, port, dummy = split_portal(path['portal'], printed=True)
    return node_key(path['target'], address, port, path['iface'])


def path_state(path):
    """One word for a path: active, or what keeps it from carrying I/O."""
    if path.get('reads_wwid'):
        return 'reads another LUN (WWID %s): its LUN number was reused' % path['reads_wwid']
    if path.get('active'):
        return 'active'
    if path.get('session_state') and path['session_state'] != 'LOGGED_IN':
        return 'session %s' % path['session_state'].lower()
    if path.get('scsi_state') not in (None, 'running'):
        return 'scsi %s' % path['scsi_state']
    if path.get('dm_state') is None:
        return 'no multipath map'
    return '%s/%s' % (path.get('dm_state'), path.get('checker_state'))


def last_path_of(luns, key, gone):
    """WWIDs whose every active path goes through ``key`` or the ``gone`` sessions: logging
    ``key`` out would leave them without a path (make before break refuses it)."""
    blocked = []
    for lun in luns:
        keys = [path_key(p) for p in lun['paths']]
        if key not in keys:
            continue
        if not any(p['active'] and k != key and k not in gone for p, k in zip(lun['paths'], keys)):
            blocked.append(lun['wwid'])
    return blocked


def without_active_path(luns, through):
    """(lun, its paths ``through`` matches) for each of ``luns``, [(lun, paths)], that has no active
    path ``through`` matches: what is missing, for the role's report and for iscsi_paths_info."""
    for lun, paths in luns:
        mine = [p for p in paths if through(p)]
        if not any(p['active'] for p in mine):
            yield lun, mine


def missing_through_ifaces(luns, sessions, targets, ifaces):
    """What iscsi_paths_info's ``expect_ifaces`` lacks, with host_report's rules: per target, a
    logged-in session through each iface (wwid None); per LUN, an active path through each. IQNs
    compare without regard to case, as ``node_key`` compares them."""
    logged_in = set((s['target'].lower(), s['iface']) for s in sessions if s.get('target') and s.get('session_state') == 'LOGGED_IN')
    missing = []
    for target in sorted(targets):
        missing += [{'wwid': None, 'target': target, 'iface': iface, 'reason': NO_SESSION}
                    for iface in ifaces if (target.lower(), iface) not in logged_in]
    for lun in luns:
        for iface in ifaces:
            for dummy in without_active_path([(lun, lun['paths'])], lambda p: p['iface'] == iface):
                target = next((p['target'] for p in lun['paths']), None)
                missing.append({'wwid': lun['wwid'], 'target': target, 'iface': iface, 'reason': 'no active path'})
    return missing


def host_report(luns, sessions, desired, *, unreachable=(), failed=None, would_login=(), leaving=(), leaving_ifaces=(), kept=(), refused=(),
                unserved=()):
    """The report of one host.

    ``luns``: join_paths' result; ``sessions``: the host's sessions (parsed); ``desired``: the
    plan's reachable sessions; ``failed``: {key: reason} of logins that failed this run;
    ``would_login``: sessions check mode would log in; ``leaving``: host sessions logged out
    right after this read (their paths are left out); ``kept``: [{..., reason}] stale sessions
    kept because a LUN would lose its last path; ``refused``: [{target, reason}] of targets that
    left the engine's plan but whose storage is held open (the host is degraded until released);
    ``unserved``: WWIDs of LUNs the target no longer serves (_lun_unserved), left out of the LUNs:
    gone from the storage, not a path the host lacks.
    """
    failed = failed or {}
    network_of = dict((s['iface'], s['network']) for s in list(desired) + list(unreachable))
    going = set(key_of(s) for s in leaving)
    state_of = dict((key_of(s), s.get('session_state')) for s in sessions if s.get('address'))
    logged_in = set(key for key, state in state_of.items() if state == 'LOGGED_IN')
    planned = set(key_of(s) for s in would_login)
    report_luns, by_target = [], {}
    for lun in luns:
        if lun['wwid'] in unserved:
            continue
        networks = {}
        paths = [p for p in lun['paths'] if path_key(p) not in going]
        for path in paths:
            label = network_of.get(path['iface']) or (DEFAULT_NETWORK if path['iface'] == DEFAULT_IFACE else
                                                      'iface %s (no storage network)' % path['iface'])
            networks.setdefault(label, []).append({'iface': path['iface'], 'portal': path['portal'], 'device': path['device'],
                                                   'state': path_state(path)})
        if not paths:
            continue
        entry = {'wwid': lun['wwid'], 'target': paths[0]['target'], 'active_paths': sum(1 for p in paths if p['active']),
                 'networks': dict((n, sorted(ps, key=lambda p: (p['portal'] or '', p['device'] or ''))) for n, ps in networks.items())}
        report_luns.append(entry)
        by_target.setdefault(entry['target'].lower(), []).append((entry, paths))
    missing, would_create = [], []
    for session in desired:
        key = key_of(session)
        if key in planned:
            would_create.append(report_entry(session, 'would log in'))
        elif key not in logged_in:
            reason = failed.get(key) or ('session %s' % state_of[key].lower() if state_of.get(key) else NO_SESSION)
            missing.append(report_entry(session, reason))
        else:
            for entry, mine in without_active_path(by_target.get(session['target'].lower(), []), lambda p: path_key(p) == key):
                missing.append(report_entry(session, path_state(mine[0]) if mine else 'no path', entry['wwid']))
    expected_targets = set(s['target'].lower() for s in desired if key_of(s) not in planned)
    lunless = sorted(t for t in expected_targets if t not in by_target)
    pathless = [e['wwid'] for e in report_luns if e['active_paths'] == 0]
    if lunless or pathless:
        state = NON_OPERATIONAL
    elif missing or refused:
        state = DEGRADED
    else:
        state = OPERATIONAL
    return {
        'luns': report_luns,
        'missing': missing,
        'would_create': would_create,
        'leaving': {'nodes': [dict(target=s['target'], portal=format_portal(s['address'], s['port']), iface=s['iface']) for s in leaving],
                    'ifaces': list(leaving_ifaces)},
        'kept': list(kept),
        'refused': list(refused),
        'unreachable': [report_entry(s, 'portal outside the subnet %s of iface %s: not tried' % (s['subnet'], s['iface'])) for s in unreachable],
        'targets_without_luns': lunless,
        'luns_without_path': pathless,
        'degraded_networks': sorted(set(m['network'] for m in missing)),
        'state': state,
        'operational': state == OPERATIONAL,
    }
