# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host leaving for good (iscsi_sessions ``state=absent``): what the record says this
collection made, removed; nothing else.

Only the record decides (whatever ``ownership`` says for a converge): VDSM's sessions, node
records and ifaces, and anyone else's, stay as they are, and so does an iface of the
collection's that one of them still uses. The sessions leave as a target leaving the plan does
(``_target_release``): a target no other session goes to is released (maps flushed, disks
deleted, then its sessions logged out), or refused whole when something holds its storage open;
a session of a target that stays (VDSM's session to it) leaves its maps first, and only while
every LUN keeps another active path. Then the node records, then the ifaces, then, when nothing
was refused, the sysctl.d file with the values before restored live, and the record last.

``leave_plan`` and ``predict`` are pure (the unit tests feed them tables); ``leave`` reads the host
once, and writes only when not in check mode.
"""

from __future__ import annotations

import collections
import os

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_record import (
    is_empty, read_record, remove_record, write_record)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import (
    BUILT_IN_IFACES, describe, key_of, record_entry, record_key, settled_record)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_runner import SessionRunner, release_plan
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._shared_subnet import SharedSubnetSettings
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._target_release import leaving_targets, refusal, stale_outcome

Leave = collections.namedtuple('Leave', [
    'sessions',          # [host session]: the record's, logged out (released, or path by path)
    'nodes',             # [host node]: the record's, deleted after the logouts
    'ifaces',            # [name]: the record's, on the host, used by nothing that stays
    'kept_ifaces',       # [{iface, reason}]: the record's, but what is not the collection's uses them
    'staying',           # [host session]: not the record's; never touched, and their targets stay
    'untouched_nodes',   # [host node]: not the record's
    'untouched_ifaces',  # [name]: not the record's (built-in ones left out)
])
# The part of a session plan that SessionRunner.remove_stale reads.
Stale = collections.namedtuple('Stale', 'sessions unreachable stale_sessions stale_nodes')


def leave_plan(host, record):
    """What leaves: ``host`` as SessionRunner.read_host reads it, ``record`` as read_record reads it."""
    recorded = set(record_key(e) for e in record.get('nodes') or [])
    recorded_ifaces = set(record.get('ifaces') or []) - set(BUILT_IN_IFACES)
    sessions = sorted((s for s in host['sessions'] if key_of(s) in recorded), key=key_of)
    staying = sorted((s for s in host['sessions'] if key_of(s) not in recorded), key=key_of)
    nodes = sorted((n for n in host['nodes'] if key_of(n) in recorded), key=key_of)
    untouched_nodes = sorted((n for n in host['nodes'] if key_of(n) not in recorded), key=key_of)
    ifaces, kept_ifaces = [], []
    for name in sorted(i for i in recorded_ifaces if i in host['ifaces']):
        users = users_of(name, staying, untouched_nodes)
        if users:
            kept_ifaces.append({'iface': name, 'reason': 'used by what this collection did not make: %s' % '; '.join(users)})
        else:
            ifaces.append(name)
    untouched = sorted(i for i in host['ifaces'] if i not in recorded_ifaces and i not in BUILT_IN_IFACES)
    return Leave(sessions, nodes, ifaces, kept_ifaces, staying, untouched_nodes, untouched)


def users_of(iface, sessions, nodes):
    """What of ``sessions`` and ``nodes`` goes through ``iface``, described."""
    return sorted(set(describe(item) for item in list(sessions) + list(nodes) if item['iface'] == iface))


def nodes_going(plan, going, refused):
    """The record's node records deleted after the logouts: not those of a session kept, nor any
    of a refused target (as SessionRunner.remove_stale deletes them)."""
    kept = set(key_of(s) for s in plan.sessions) - set(key_of(s) for s in going)
    return [n for n in plan.nodes if key_of(n) not in kept and n['target'].lower() not in refused]


def free_ifaces(plan, going, nodes):
    """The record's ifaces that nothing left on the host uses once ``going`` and ``nodes`` are gone."""
    gone = set(key_of(s) for s in going) | set(key_of(n) for n in nodes)
    left_sessions = plan.staying + [s for s in plan.sessions if key_of(s) not in gone]
    left_nodes = plan.untouched_nodes + [n for n in plan.nodes if key_of(n) not in gone]
    return [name for name in plan.ifaces if not users_of(name, left_sessions, left_nodes)]


def predict(plan, luns, devices):
    """Check mode: (going, kept, released, refused) as a run would have them, from the paths and
    the holders read now (a map flush that would fail cannot be foreseen)."""
    released, refused = [], {}
    leaving = leaving_targets(plan.sessions, plan.staying)
    for target in leaving:
        own, maps, held = release_plan(target, luns, devices)
        if held:
            refused[target] = refusal(target, held)
        else:
            disks = sorted(p['device'] for lun in own for p in lun['paths'] if p.get('device'))
            released.append({'target': target, 'maps_flushed': maps, 'disks_deleted': disks})
    going, kept = stale_outcome(plan.sessions, luns, leaving, refused)
    return going, kept, released, [dict(target=t, reason=r) for t, r in sorted(refused.items())]


def sysctl_entries(file_settings, file_before, set_live):
    """What the sysctl.d file held, each with the value it goes back to and whether it was set live."""
    return [{'sysctl': 'net.ipv4.conf.%s.%s' % item, 'value': file_before.get(item),
             'set_live': '%s.%s' % item in set_live} for item in sorted(file_settings)]


def session_entry(session):
    return dict(record_entry(session), sid=session.get('sid'))


def leave(module, iscsiadm, *, record_file, check_mode, sysctls=None):
    """The whole removal; returns (changed, report). ``sysctls``: a SharedSubnetSettings (tests)."""
    runner = SessionRunner(module, iscsiadm, record_file=record_file, parallel_logins=1, wait=0)
    host = runner.read_host([])
    record = read_record(record_file)
    plan = leave_plan(host, record)
    luns = runner.read_paths(host['sessions'])[1] if plan.sessions else []
    sysctls = sysctls or SharedSubnetSettings()
    file_settings, file_before = sysctls.read_file()
    if check_mode:
        going, kept, released, refused = predict(plan, luns, runner.devices)
        nodes = nodes_going(plan, going, set(r['target'] for r in refused))
        ifaces = free_ifaces(plan, going, nodes)
    else:
        stale = Stale(sessions=[], unreachable=[], stale_sessions=plan.sessions, stale_nodes=plan.nodes)
        going, kept, released, refused = runner.remove_stale(stale, luns, staying=plan.staying)
        nodes = nodes_going(plan, going, set(r['target'] for r in refused))
        # Read again: what stays must not lose an iface it uses, whatever the plan thought.
        ifaces = runner.remove_ifaces(free_ifaces(plan, going, nodes))
    blocked = bool(kept or refused)
    changed = bool(going or nodes or ifaces) or (runner.changed and not check_mode)
    files, restored = [], []
    if not blocked and (file_settings or file_before):
        subnet_changed, subnet = sysctls.converge({}, [], check_mode=check_mode)
        changed = changed or subnet_changed
        files.append(sysctls.sysctl_file)
        restored = sysctl_entries(file_settings, file_before, subnet['set_live'])
    gone = set(key_of(n) for n in nodes)
    left = {'ifaces': dict((name, i) for name, i in host['ifaces'].items() if name not in ifaces),
            'nodes': [n for n in host['nodes'] if key_of(n) not in gone]}
    settled = settled_record(record, left)
    # Only iscsi_host_config's files keep the record: that module removes it after them (check
    # mode cannot see that from there, as this run removed nothing: the role adds it to the report).
    goes_with_files = not blocked and bool(settled.get('files')) and is_empty(dict(settled, files=None)) and os.path.exists(record_file)
    if not blocked and is_empty(settled):
        # Last: a run cut short before this point finds the record and goes on from it.
        if os.path.exists(record_file):
            changed = True
            files.append(record_file)
            if not check_mode:
                remove_record(record_file)
    elif settled != record:
        changed = True
        if not check_mode:
            write_record(record_file, settled)
    kept_ifaces = plan.kept_ifaces + [{'iface': name, 'reason': 'still used by what this run kept'}
                                      for name in plan.ifaces if name not in ifaces]
    report = {
        'state': 'refused' if blocked else 'removed',
        'check_mode': check_mode,
        'removed': {'sessions': [session_entry(s) for s in going], 'node_records': [record_entry(n) for n in nodes],
                    'ifaces': list(ifaces), 'files': files, 'sysctls': restored},
        'released': released, 'refused': refused, 'kept': kept, 'kept_ifaces': kept_ifaces,
        'record_goes_with_files': goes_with_files,
        'untouched': {'sessions': [session_entry(s) for s in plan.staying],
                      'node_records': [record_entry(n) for n in plan.untouched_nodes], 'ifaces': plan.untouched_ifaces},
    }
    return changed, report
