# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""datacenter_paths' report of every host (pure): the JSON summary, its overview per host and
network (paths active out of expected, and those not tried by design counted apart), the
printed lines and the failure message.

The summary keeps the keys it has always had (data_center, bonds, check_mode, hosts,
non_operational, degraded, failed, engine_hosts_not_in_inventory, inventory_hosts_not_in_engine);
the overview, the hosts in other slices, the slice count and the engine's host statuses
(engine_statuses, maintenance, not_connected, disconnected) sit beside them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import split_portal
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_report import DEGRADED, NON_OPERATIONAL, OPERATIONAL
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import DEFAULT_IFACE, DEFAULT_NETWORK, node_key, outside_subnet
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._datacenter import paths_table
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._host_status import (
    CONVERGE, DISCONNECT, DISCONNECT_FAILED, MAINTENANCE, NOT_CONNECTED, host_action, is_left_state, left_reason, left_state,
)

NOT_RUN = 'not run'
SKIPPED = 'skipped'
NOT_RUN_RESULT = {'status': NOT_RUN, 'error': 'the host play did not reach it (unreachable?)'}
SKIPPED_RESULT = {'status': SKIPPED, 'error': 'the host play was skipped (--skip-tags datacenter_paths_hosts)'}
# Problem hosts first: what needs a person's eyes leads the page and the printed lines. Every
# 'not connected (engine status X)' ranks as NOT_CONNECTED.
STATE_ORDER = (NON_OPERATIONAL, DISCONNECT_FAILED, NOT_RUN, DEGRADED, MAINTENANCE, NOT_CONNECTED, SKIPPED, OPERATIONAL)
# Asked for (engine side and report only): neither a failure nor non operational. So are the
# states the engine's host status gives (maintenance, not connected): the engine itself
# connects no storage to such a host.
NOT_JUDGED = (SKIPPED,)
# Sessions of the plan the host does not try by design, counted apart from the expected paths
# (never missing): a portal outside the iface's subnet, and check mode's logins. How the printed
# line and the page name them.
NOT_TRIED = (('not_routable', 'not routable'), ('would_log_in', 'would log in'))


def state_rank(status):
    if is_left_state(status) and status != MAINTENANCE:
        status = NOT_CONNECTED
    return STATE_ORDER.index(status) if status in STATE_ORDER else 0


def not_judged(status):
    """A state that fails nothing and is not non operational: skipped on purpose, or left alone
    by the engine's host status."""
    return status in NOT_JUDGED or is_left_state(status)


def _removed_text(removed):
    """'removed ifaces 2, sessions 4' from the host role's report of a disconnect (``removed``:
    what it took away, a list or a count per kind), or 'removed nothing'."""
    if isinstance(removed, dict):
        counts = [(len(v) if isinstance(v, (list, tuple, dict)) else int(v or 0), k) for k, v in sorted(removed.items())]
    else:
        counts = [(len(removed or []), 'items')]
    return 'removed ' + (', '.join('%s %d' % (k.replace('_', ' '), n) for n, k in counts if n) or 'nothing')


def _disconnect_result(result, check_mode):
    """A host in maintenance the host play disconnected (datacenter_paths_disconnect_maintenance):
    ``maintenance`` with what went, or ``disconnect failed`` (a failure: it was asked for)."""
    if result.get('disconnect') == 'done':
        report = result.get('report') or {}
        said = 'would be disconnected (check mode): ' if check_mode else 'disconnected on request: '
        return dict(result, status=MAINTENANCE, error=said + _removed_text(report.get('removed')))
    return dict(result, status=DISCONNECT_FAILED, disconnect='failed',
                error='disconnect failed: %s' % (result.get('error') or 'failed'))


def host_results(names, hostvars, host_play_skipped=False, plan_hosts=None, check_mode=False):
    """{host: its result}, with its ``engine_status`` (``plan_hosts``: the plan's hosts).

    A host its engine status leaves alone (action ``leave``) was not touched: ``maintenance``
    or ``not connected (engine status X)``. A host disconnected on request: ``maintenance`` or
    ``disconnect failed``. Any other host: its datacenter_paths_result; without one,
    ``skipped`` when the run skipped the host play on purpose, else ``not run`` (the host play
    did not reach it)."""
    results = {}
    plan_hosts = plan_hosts or {}
    absent = SKIPPED_RESULT if host_play_skipped else NOT_RUN_RESULT
    for name in names:
        planned = plan_hosts.get(name) or {}
        status = planned.get('status')
        action = planned.get('action') or host_action(status)
        variables = hostvars[name] if name in hostvars else {}
        result = dict(variables['datacenter_paths_result']) if 'datacenter_paths_result' in variables else None
        if action not in (CONVERGE, DISCONNECT):
            result = {'status': left_state(status), 'error': left_reason(status)}
        elif result is None:
            result = dict(absent)
        elif action == DISCONNECT:
            result = _disconnect_result(result, check_mode)
        result['engine_status'] = status
        results[name] = result
    return results


def _key(target, address, port, iface):
    try:
        return node_key(target or '', address or '', port or 3260, iface or DEFAULT_IFACE)
    except ValueError:  # not a portal the host would take: compared as written
        return ((target or '').lower(), address, port or 3260, iface or DEFAULT_IFACE)


def _entry_key(entry):
    """The key of a host report's entry ({target, portal, iface})."""
    try:
        address, port, dummy = split_portal(entry.get('portal') or '', printed=True)
    except ValueError:
        address, port = entry.get('portal'), 3260
    return _key(entry.get('target'), address, port, entry.get('iface'))


def not_tried(sessions, report):
    """{session key: 'not_routable' or 'would_log_in'}: the plan's sessions the host does not try.

    The host's report says which portals lie outside their iface's subnet (``unreachable``); a
    host that did not report is predicted the way it would decide (the plan's subnets, the host
    side's own test). Check mode's logins (``would_create``) were not made on purpose either.
    """
    if 'unreachable' in report:
        apart = dict((_entry_key(e), 'not_routable') for e in report.get('unreachable') or [])
    else:
        apart = dict((_key(s.get('target'), s.get('address'), s.get('port'), s.get('iface')), 'not_routable')
                     for s in sessions or [] if s.get('address') and outside_subnet(s))
    apart.update((_entry_key(e), 'would_log_in') for e in report.get('would_create') or [])
    return apart


def _zero_counts():
    return dict([('active', 0), ('expected', 0)] + [(key, 0) for key, _label in NOT_TRIED])


def network_counts(sessions, report):
    """{network: {'active': n, 'expected': n, 'not_routable': n, 'would_log_in': n}} of one host.

    Each session of the engine's plan through the network gives one path per LUN of its target
    (at least one, so a target that shows no LUN still counts as missing paths). Expected: those
    of the sessions the host is meant to reach; a session it does not try by design (not_tried)
    counts under its own key instead, so that an operational host reads full. Active: the
    report's active paths through the network. A network a path takes without being planned (an
    iface of no storage network) shows with expected 0.
    """
    luns_of = {}
    for lun in report.get('luns') or []:
        target = (lun.get('target') or '').lower()
        luns_of[target] = luns_of.get(target, 0) + 1
    apart = not_tried(sessions, report)
    counts = {}
    for session in sessions or []:
        kind = apart.get(_key(session.get('target'), session.get('address'), session.get('port'), session.get('iface')), 'expected')
        entry = counts.setdefault(session.get('network') or DEFAULT_NETWORK, _zero_counts())
        entry[kind] += max(1, luns_of.get((session.get('target') or '').lower(), 0))
    for lun in report.get('luns') or []:
        for network, paths in (lun.get('networks') or {}).items():
            counts.setdefault(network, _zero_counts())['active'] += sum(1 for p in paths if p.get('state') == 'active')
    return counts


def _plural(count, word):
    return '%d %s%s' % (count, word, '' if count == 1 else 's')


def missing_summary(result):
    """What a host lacks, in a few words per network ('iscsi-b: 2 sessions (login timed out)':
    an entry with a LUN is a path, one without is a whole session), or the error of a host that
    says nothing else (not run, or failed before its report)."""
    report = result.get('report') or {}
    by_network = {}
    for miss in report.get('missing') or []:
        by_network.setdefault(miss.get('network') or '?', []).append(('path' if miss.get('wwid') else 'session', miss.get('reason') or '?'))
    lines = []
    for network, entries in sorted(by_network.items()):
        kinds = [k for k in ('session', 'path') if any(kind == k for kind, _reason in entries)]
        lines.append('%s: %s (%s)' % (network, ', '.join(_plural(sum(1 for kind, _r in entries if kind == k), k) for k in kinds),
                                      ', '.join(sorted(set(reason for _kind, reason in entries)))))
    lines += ['target %s shows no LUN' % t for t in report.get('targets_without_luns') or []]
    lines += ['LUN %s has no active path' % w for w in report.get('luns_without_path') or []]
    if not lines and result.get('status') != OPERATIONAL and result.get('error'):
        lines = [result['error']]
    return lines


def _expects_paths(result):
    """Whether the host is meant to have paths: not one whose engine status connects no storage
    (maintenance, disconnected or not, and every status but up)."""
    return host_action(result.get('engine_status')) == CONVERGE


def overview(plan, results):
    """{host: {state, engine_status, luns, networks: {network: {active, expected, not_routable, would_log_in}},
    missing: [text]}}; a host the engine's status does not connect has no networks: nothing is expected of it."""
    hosts = plan.get('hosts') or {}
    return dict((name, {
        'state': result.get('status', '?'),
        'engine_status': result.get('engine_status'),
        'luns': len((result.get('report') or {}).get('luns') or []),
        'networks': network_counts((hosts.get(name) or {}).get('sessions'), result.get('report') or {}) if _expects_paths(result) else {},
        'missing': missing_summary(result),
    }) for name, result in results.items())


def datacenter_report(plan, hostvars, check_mode=False, allow_degraded=False, slice_count=1, host_play_skipped=False):
    """The JSON summary of a run, from datacenter_hosts' plan and each paired host's
    ``datacenter_paths_result`` in ``hostvars``; ``host_play_skipped``: the run skipped the
    host play by its tag, so a host without a result was skipped, not lost."""
    results = host_results(sorted(plan.get('hosts') or {}), hostvars, host_play_skipped, plan.get('hosts'), check_mode)
    accepted = (OPERATIONAL, DEGRADED) if allow_degraded else (OPERATIONAL,)
    names = sorted(results)
    engine_statuses = {}
    for name in names:
        status = results[name].get('engine_status')
        if status is not None:
            engine_statuses[status] = engine_statuses.get(status, 0) + 1
    return {
        'data_center': plan.get('data_center'),
        'bonds': plan.get('bonds') or [],
        'check_mode': bool(check_mode),
        'hosts': results,
        'non_operational': [n for n in names if results[n].get('status') not in (OPERATIONAL, DEGRADED, DISCONNECT_FAILED)
                            and not not_judged(results[n].get('status'))],
        'degraded': [n for n in names if results[n].get('status') == DEGRADED],
        'failed': [n for n in names if results[n].get('status') not in accepted and not not_judged(results[n].get('status'))],
        'engine_hosts_not_in_inventory': plan.get('engine_hosts_not_in_inventory') or [],
        'inventory_hosts_not_in_engine': plan.get('inventory_hosts_not_in_engine') or [],
        'engine_hosts_in_other_slices': plan.get('engine_hosts_in_other_slices') or [],
        'slice_count': int(slice_count or 1),
        'overview': overview(plan, results),
        # The engine's host statuses: how many hosts in each, those in maintenance, those whose
        # status the engine connects no storage in (maintenance too), those disconnected on request.
        'engine_statuses': engine_statuses,
        'maintenance': [n for n in names if results[n].get('engine_status') == MAINTENANCE],
        'not_connected': [n for n in names if host_action(results[n].get('engine_status')) != CONVERGE],
        'disconnected': [n for n in names if results[n].get('disconnect') == 'done'],
    }


def problem_order(hosts):
    """Host names, problem hosts first (non operational, disconnect failed, not run, degraded),
    then those the engine's status leaves alone, then by name."""
    return sorted(hosts, key=lambda name: (state_rank(hosts[name].get('state') or hosts[name].get('status')), name))


def _counts_line(summary):
    states = {}
    for item in (summary.get('overview') or {}).values():
        states[item['state']] = states.get(item['state'], 0) + 1
    parts = ['%d %s' % (states[s], s) for s in sorted(states, key=lambda s: (state_rank(s), s))]
    return '%d hosts: %s' % (sum(states.values()), ', '.join(parts) or 'none')


def count_text(count):
    """'3/3', or '3/3 (6 not routable)': the paths not tried by design said apart."""
    apart = ', '.join('%d %s' % (count[key], label) for key, label in NOT_TRIED if count.get(key))
    return '%d/%d%s' % (count['active'], count['expected'], ' (%s)' % apart if apart else '')


def host_line(name, item, width=0):
    """'host1  degraded  3 LUNs  iscsi-a 3/3 (6 not routable)  iscsi-b 0/3  missing: iscsi-b: 3 paths (login timed out)'."""
    networks = '  '.join('%s %s' % (n, count_text(c)) for n, c in sorted(item['networks'].items()))
    line = '%s  %-15s  %3d LUN%s  %s' % (name.ljust(width), item['state'], item['luns'], ' ' if item['luns'] == 1 else 's', networks)
    if item['missing']:
        # A host the engine's status leaves alone lacks nothing: its line says why it was left.
        line += ('  ' if is_left_state(item['state']) else '  missing: ') + '; '.join(item['missing'])
    return line.rstrip()


def report_lines(summary, detail=False):
    """The printed report: a heading, one line per host (problem hosts first), then the path
    table of the degraded and non-operational hosts only, or of every host with ``detail``."""
    items = summary.get('overview') or {}
    order = problem_order(items)
    width = max([len(n) for n in order] or [0])
    lines = ['data center %s, bonds: %s%s' % (summary.get('data_center'), ', '.join(summary.get('bonds') or []) or 'none',
                                              ' (check mode: nothing was changed)' if summary.get('check_mode') else ''),
             _counts_line(summary)]
    for key, label in (('engine_hosts_not_in_inventory', 'engine hosts missing from the inventory'),
                       ('engine_hosts_in_other_slices', 'engine hosts in other slices (%d slices)' % summary.get('slice_count', 1)),
                       ('inventory_hosts_not_in_engine', 'inventory hosts the engine does not know')):
        if summary.get(key):
            lines.append('%s: %d (%s)' % (label, len(summary[key]), ', '.join(summary[key])))
    lines += [host_line(name, items[name], width) for name in order]
    # A host that did not run has no path to show: its line already says why.
    shown = dict((n, r) for n, r in (summary.get('hosts') or {}).items()
                 if detail or r.get('status') in (DEGRADED, NON_OPERATIONAL))
    if shown:
        lines += ['', 'paths of %s:' % ('every host' if detail else 'the hosts not operational')]
        lines += paths_table(shown).split('\n')
    return lines


def report_failure(summary):
    """Why the run fails (empty when it does not): the non-operational hosts, and the degraded
    ones unless they were allowed."""
    failed = summary.get('failed') or []
    parts = []
    if summary.get('non_operational'):
        parts.append('non operational: ' + ', '.join(summary['non_operational']))
    refused = [n for n in failed if ((summary.get('hosts') or {}).get(n) or {}).get('status') == DISCONNECT_FAILED]
    if refused:
        parts.append('disconnect failed: %s (datacenter_paths_disconnect_maintenance asked for it)' % ', '.join(refused))
    degraded = [n for n in failed if n in (summary.get('degraded') or [])]
    if degraded:
        parts.append('degraded: %s (datacenter_paths_allow_degraded: true accepts it)' % ', '.join(degraded))
    return '; '.join(parts)
