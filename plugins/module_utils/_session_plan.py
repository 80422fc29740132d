# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's iSCSI sessions: the desired ones against what the host has, as a pure plan.

A desired session is ``_session``'s normalised session, used as it is: the node settings it needs
and the portal group tag of its record on the host stay beside it in the plan. The plan lists what to create (ifaces,
node records), which node settings to write, which logins to make, and which sessions, node
records and ifaces the plan no longer holds and this collection may remove. Nothing here runs a
command; ``_session_runner`` carries the plan out and the unit tests feed it tables.

Ownership: the role removes only what it created (its record), and, where the engine owns the
host's sessions (VDSM), also node records to the data center's targets through an iface named
after one of the host's NICs, the way VDSM names them. Anything else is never touched.
"""

from __future__ import annotations

import collections
import ipaddress

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import format_portal, split_portal
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session import (
    BUILT_IN_IFACES, PlanError, key_of, node_key, report_entry)
# The session is _session's; these names stay importable from here, where the other host modules find them.
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session import (  # pylint: disable=unused-import
    DEFAULT_IFACE, DEFAULT_NETWORK, normal_address, normalize as normalize_sessions)

AUTH_METHOD = 'node.session.auth.authmethod'
AUTH_USERNAME = 'node.session.auth.username'
AUTH_PASSWORD = 'node.session.auth.password'
STARTUP = 'node.startup'
OWNED_KEYS = (STARTUP, AUTH_METHOD, AUTH_USERNAME, AUTH_PASSWORD)


def portal_of(item):
    return format_portal(item['address'], item['port'])


def describe(item):
    return '%s at %s through %s' % (item['target'], portal_of(item), item['iface'])


def record_key(entry):
    """A key from the role's record entry ({target, portal, iface})."""
    address, port, dummy = split_portal(entry['portal'], printed=True)
    return node_key(entry['target'], address, port, entry['iface'])


def record_entry(item):
    return {'target': item['target'], 'portal': portal_of(item), 'iface': item['iface']}


def outside_subnet(session):
    """True when the portal's address lies outside the iface's subnet (both known): the iface
    cannot reach it, so the login is not tried (the engine pairs without looking)."""
    if not session.get('subnet'):
        return False
    try:
        return ipaddress.ip_address(session['address'].strip('[]')) not in ipaddress.ip_network(session['subnet'], strict=False)
    except ValueError:
        return False


def node_settings(session, common):
    """The node record values one session needs: ``common`` (timeouts, startup) and its CHAP."""
    settings = dict((key, str(value)) for key, value in common.items())
    if session.get('username'):
        settings.update({AUTH_METHOD: 'CHAP', AUTH_USERNAME: session['username'], AUTH_PASSWORD: session['password']})
    else:
        settings.update({AUTH_METHOD: 'None', AUTH_USERNAME: ''})
    return settings


def check_common_settings(common):
    problems = ['node setting %s: set it through the session (startup and CHAP are the module\'s own)' % key
                for key in common if key in OWNED_KEYS[1:] or not key.startswith('node.')]
    if problems:
        raise PlanError(problems)


Plan = collections.namedtuple('Plan', [
    'sessions',         # desired sessions the host can reach (_session's, as they are)
    'unreachable',      # desired sessions whose portal is outside their iface's subnet (not tried)
    'create_ifaces',    # [(name, net_ifacename)]
    'rebind_ifaces',    # [(name, current net_ifacename, wanted)]: only ifaces this collection owns
    'create_nodes',     # [session]
    'set_keys',         # [(session, {key: value})]: node settings that differ (or all, for a new record)
    'logins',           # [session]: desired, reachable, not logged in
    'stale_sessions',   # [host session]: owned, not desired; logged out only if every LUN keeps a path
    'stale_nodes',      # [host node]: owned, not desired
    'stale_ifaces',     # [name]: created by this collection, no desired session uses them
    'stray',            # [host session]: to a desired target, through no desired iface, not owned
    'record_tpgts',     # {key: portal group tag}: of each desired session's node record on the host
    'tpgt_differs',     # [report entry]: the host's node record has another portal group tag than the engine's
    'stray_nodes',      # [host node]: not logged in, to a desired target through `default` or an iface of ours, not desired
    'duplicate_records',  # [report entry]: a desired session with node records of several portal group tags
    'unbacked',         # [host session]: to a desired target through a portal that no desired session holds
    'relogins',         # [host session]: desired, logged in through another device than its iface's now
])


def owns(node, *, recorded, engine_owned, engine_targets, host_nics):
    """Whether this collection may remove ``node`` (a node record or session of the host)."""
    key = key_of(node)
    if key in recorded:
        return True
    return (engine_owned and node['iface'] not in BUILT_IN_IFACES and node['iface'] in host_nics
            and node['target'].lower() in engine_targets)


def make_plan(desired, host, record, *, common_settings, engine_owned=False, engine_targets=(), host_nics=()):
    """The plan from normalized ``desired`` sessions and ``host`` (ifaces {name: iface},
    nodes [..], sessions [..], records {key: node record settings}) and the role's ``record``
    ({ifaces: [..], nodes: [{target, portal, iface}]}). Raises PlanError on a conflict with the
    host, before anything changes."""
    check_common_settings(common_settings)
    recorded = set(record_key(e) for e in record.get('nodes') or [])
    recorded_ifaces = set(record.get('ifaces') or [])
    engine_targets = set(t.lower() for t in engine_targets)
    owner = dict(recorded=recorded, engine_owned=engine_owned, engine_targets=engine_targets, host_nics=set(host_nics))
    logged_in = dict((key_of(s), s) for s in host['sessions'] if s.get('session_state', 'LOGGED_IN') != 'FREE')
    records_of = collections.defaultdict(list)
    for node in host['nodes']:
        records_of[key_of(node)].append(node)
    nodes = dict((key, records[0]) for key, records in records_of.items())
    reachable, unreachable = [], []
    for session in desired:
        (unreachable if outside_subnet(session) else reachable).append(session)

    problems, create_ifaces, rebind_ifaces = [], [], []
    wanted_ifaces = collections.OrderedDict()
    for session in reachable:
        if session['iface'] not in BUILT_IN_IFACES:
            wanted_ifaces.setdefault(session['iface'], session['net_ifacename'])
    for name, device in wanted_ifaces.items():
        current = host['ifaces'].get(name)
        if current is None:
            create_ifaces.append((name, device))
        elif (current.get('net_ifacename') or '') != device:
            if name in recorded_ifaces or not current.get('net_ifacename'):
                rebind_ifaces.append((name, current.get('net_ifacename') or '', device))
            else:
                problems.append('iface %s is bound to %s, not %s, and this collection did not make it: '
                                'rebind or delete it first' % (name, current.get('net_ifacename'), device))
        elif current.get('transport') not in (None, '', 'tcp'):
            problems.append('iface %s uses transport %s, not tcp' % (name, current['transport']))
    if problems:
        raise PlanError(problems)

    # A session in recovery (FREE) too: bound to a device its iface no longer names, it never recovers.
    every_session = dict((key_of(s), s) for s in host['sessions'])
    relogins = [every_session[key_of(s)] for s in reachable if bound_elsewhere(every_session.get(key_of(s)), s)]
    create_nodes, set_keys, logins, record_tpgts, tpgt_differs, duplicates = [], [], [], {}, [], []
    for session in reachable:
        key = key_of(session)
        found = chosen_record(records_of.get(key) or [], session, logged_in.get(key))
        if found is not None and len(records_of[key]) > 1:
            duplicates.append(duplicate_entry(session, records_of[key], found))
        settings = node_settings(session, common_settings)
        if found is None:
            create_nodes.append(session)
            set_keys.append((session, settings))
        else:
            # The record is the host's: it is used with its own tag, and a tag other than the
            # engine's is said, not taken over silently.
            record_tpgts[key] = found.get('tpgt')
            if found.get('tpgt') is not None and found['tpgt'] >= 0 and found['tpgt'] != session['tpgt']:
                tpgt_differs.append(dict(report_entry(session, 'the node record on the host has portal group tag %d, the engine '
                                                               '%d: the host\'s is used' % (found['tpgt'], session['tpgt'])),
                                         engine_tpgt=session['tpgt'], host_tpgt=found['tpgt']))
            have = host['records'].get(key) or {}
            differing = dict((k, v) for k, v in settings.items() if have.get(k) != v)
            if differing:
                set_keys.append((session, differing))
        if key not in logged_in and not any(key_of(r) == key for r in relogins):
            logins.append(session)

    desired_keys = set(key_of(s) for s in reachable)
    desired_ifaces = set(s['iface'] for s in reachable)
    desired_targets = set(s['target'].lower() for s in desired)
    stale_nodes = [n for key, n in sorted(nodes.items()) if key not in desired_keys and owns(n, **owner)]
    stale_sessions = [s for key, s in sorted(logged_in.items()) if key not in desired_keys and owns(s, **owner)]
    stale_ifaces = sorted(i for i in recorded_ifaces if i not in desired_ifaces and i not in BUILT_IN_IFACES)
    stray = [s for key, s in sorted(logged_in.items())
             if s['target'].lower() in desired_targets and s['iface'] not in desired_ifaces and not owns(s, **owner)]
    # What a discovery leaves (a record per advertised portal, through `default` when no iface is
    # named, with iscsid.conf's startup): a reboot would log them in. Never a logged-in one's.
    ours = desired_ifaces | recorded_ifaces | {DEFAULT_IFACE}
    stray_nodes = [n for key, records in sorted(records_of.items()) for n in records
                   if key not in desired_keys and key not in logged_in and n['target'].lower() in desired_targets
                   and n['iface'] in ours and not owns(n, **owner)]
    backed = set((s['target'].lower(), normal_address(s['address']), int(s['port'])) for s in desired)
    leaving = set(key_of(s) for s in stale_sessions)
    unbacked = [s for key, s in sorted(logged_in.items()) if s['target'].lower() in desired_targets and key not in leaving
                and key[:3] not in backed]
    return Plan(reachable, unreachable, create_ifaces, rebind_ifaces, create_nodes, set_keys, logins,
                stale_sessions, stale_nodes, stale_ifaces, stray, record_tpgts, tpgt_differs, stray_nodes, duplicates, unbacked,
                relogins)


def bound_elsewhere(live, session):
    """Whether the logged-in session ``live`` goes through another device than ``session``'s iface
    is bound to now: a network moved to another NIC or made a bridge (VM) network under the same
    iface name. iscsid keeps a session's binding for its life, reconnections included, so the
    session only comes through the new device once logged out and in again (VDSM a23321ae4 left
    it to "manual intervention")."""
    if not live or not session.get('net_ifacename'):
        return False
    netdev = live.get('netdev')
    return bool(netdev) and netdev != '<empty>' and netdev != session['net_ifacename']


def records_by_key(pairs):
    """{key: settings} from (node, settings) pairs. Records of one key with several portal group
    tags are one to iscsiadm (it selects them together, the tag notwithstanding: an update writes
    each, a login tries each): a setting on which they disagree reads as unknown (None), so the
    plan writes it, to every one of them."""
    out = {}
    for node, settings in pairs:
        key = key_of(node)
        if key not in out:
            out[key] = dict(settings or {})
        else:
            seen = out[key]
            for name in set(seen) | set(settings or {}):
                if seen.get(name) != (settings or {}).get(name):
                    seen[name] = None
    return out


def chosen_record(records, session, live):
    """Of the host's node records for one session (one per portal group tag), the one its live
    session came from, else the one with the engine's tag, else the first."""
    for tpgt in ((live or {}).get('tpgt'), session.get('tpgt')):
        found = next((r for r in records if tpgt is not None and r.get('tpgt') == tpgt), None)
        if found is not None:
            return found
    return records[0] if records else None


def duplicate_entry(session, records, used):
    """The report entry of a session with several node records (VDSM BZ 2097614: only one logs in,
    the other says "session exists", rc 15; BZ 2083271: a cleanup on rc 15 logged the good one out)."""
    tags = sorted(r.get('tpgt') for r in records if r.get('tpgt') is not None)
    return dict(report_entry(session, 'node records with portal group tags %s for one portal: iscsiadm takes them together '
                                      '(a login tries each, and all but one say "session exists"); the session of tag %s '
                                      'is kept, the records are left' % (', '.join(str(t) for t in tags), used.get('tpgt'))),
                host_tpgts=tags, used_tpgt=used.get('tpgt'))


def intended_record(record, plan):
    """The record with what the plan is about to create, written before it is created."""
    ifaces = set(record.get('ifaces') or []) | set(name for name, dummy in plan.create_ifaces)
    nodes = dict((record_key(e), e) for e in record.get('nodes') or [])
    for session in plan.create_nodes:
        nodes.setdefault(key_of(session), record_entry(session))
    # Other keys (the files iscsi_host_config records) stay as they are.
    return dict(record, ifaces=sorted(ifaces), nodes=[nodes[k] for k in sorted(nodes)])


def settled_record(record, host):
    """The record after a run: what it lists and the host still has (a run cut short may have
    recorded what it never made)."""
    present = set(key_of(n) for n in host['nodes'])
    return dict(record, ifaces=sorted(i for i in record.get('ifaces') or [] if i in host['ifaces']),
                nodes=[e for e in record.get('nodes') or [] if record_key(e) in present])


def is_empty(plan):
    """Nothing to write (logins and stale removals aside, which depend on the paths)."""
    return not (plan.create_ifaces or plan.rebind_ifaces or plan.create_nodes or plan.set_keys or plan.stray_nodes)


def diff_of(plan):
    """Before and after, per session: no secret, only that one changes."""
    before, after = {}, {}
    for session in plan.sessions:
        name = describe(session)
        changed = next((sorted(values) for s, values in plan.set_keys if s is session), [])
        new = session in plan.create_nodes
        login = session in plan.logins
        if not (new or changed or login):
            continue
        before[name] = {} if new else {'node_record': True, 'logged_in': not login}
        after[name] = {'node_record': True, 'logged_in': True, 'iface': session['iface'],
                       'settings': [k if k != AUTH_PASSWORD else '%s (not shown)' % k for k in changed]}
    for node in list(plan.stale_nodes) + list(plan.stray_nodes):
        before[describe(node)] = {'node_record': True}
        after[describe(node)] = {}
    for name, device in plan.create_ifaces:
        before['iface %s' % name], after['iface %s' % name] = {}, {'net_ifacename': device}
    for name, old, device in plan.rebind_ifaces:
        before['iface %s' % name], after['iface %s' % name] = {'net_ifacename': old}, {'net_ifacename': device}
    for name in plan.stale_ifaces:
        before['iface %s' % name], after['iface %s' % name] = {'exists': True}, {}
    return before, after
