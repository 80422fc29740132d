# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""datacenter_paths' report of every host (pure): the JSON summary, its overview per host and
network (paths active out of expected, and those not tried by design counted apart), the
printed lines and the failure message.

The summary keeps the keys it has always had (data_center, bonds, check_mode, hosts,
non_operational, degraded, failed, engine_hosts_not_in_inventory, inventory_hosts_not_in_engine);
the overview, the hosts in other slices and the slice count sit beside them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import split_portal
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import DEFAULT_IFACE, node_key, outside_subnet
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._datacenter import paths_table

OPERATIONAL = 'operational'
DEGRADED = 'degraded'
NON_OPERATIONAL = 'non operational'
NOT_RUN = 'not run'
SKIPPED = 'skipped'
DEFAULT_NETWORK_LABEL = 'default route'
NOT_RUN_RESULT = {'status': NOT_RUN, 'error': 'the host play did not reach it (unreachable?)'}
SKIPPED_RESULT = {'status': SKIPPED, 'error': 'the host play was skipped (--skip-tags datacenter_paths_hosts)'}
# Problem hosts first: what needs a person's eyes leads the page and the printed lines.
STATE_ORDER = (NON_OPERATIONAL, NOT_RUN, DEGRADED, SKIPPED, OPERATIONAL)
# Asked for (engine side and report only): neither a failure nor non operational.
NOT_JUDGED = (SKIPPED,)
# Sessions of the plan the host does not try by design, counted apart from the expected paths
# (never missing): a portal outside the iface's subnet, and check mode's logins. How the printed
# line and the page name them.
NOT_TRIED = (('not_routable', 'not routable'), ('would_log_in', 'would log in'))


def state_rank(status):
    return STATE_ORDER.index(status) if status in STATE_ORDER else 0


def host_results(names, hostvars, host_play_skipped=False):
    """{host: its datacenter_paths_result}; for a host without one, ``skipped`` when the run
    skipped the host play on purpose, else ``not run`` (the host play did not reach it)."""
    results = {}
    absent = SKIPPED_RESULT if host_play_skipped else NOT_RUN_RESULT
    for name in names:
        variables = hostvars[name] if name in hostvars else {}
        results[name] = variables['datacenter_paths_result'] if 'datacenter_paths_result' in variables else dict(absent)
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
        entry = counts.setdefault(session.get('network') or DEFAULT_NETWORK_LABEL, _zero_counts())
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


def overview(plan, results):
    """{host: {state, luns, networks: {network: {active, expected, not_routable, would_log_in}}, missing: [text]}}."""
    hosts = plan.get('hosts') or {}
    return dict((name, {
        'state': result.get('status', '?'),
        'luns': len((result.get('report') or {}).get('luns') or []),
        'networks': network_counts((hosts.get(name) or {}).get('sessions'), result.get('report') or {}),
        'missing': missing_summary(result),
    }) for name, result in results.items())


def datacenter_report(plan, hostvars, check_mode=False, allow_degraded=False, slice_count=1, host_play_skipped=False):
    """The JSON summary of a run, from datacenter_hosts' plan and each paired host's
    ``datacenter_paths_result`` in ``hostvars``; ``host_play_skipped``: the run skipped the
    host play by its tag, so a host without a result was skipped, not lost."""
    results = host_results(sorted(plan.get('hosts') or {}), hostvars, host_play_skipped)
    accepted = (OPERATIONAL, DEGRADED) + NOT_JUDGED if allow_degraded else (OPERATIONAL,) + NOT_JUDGED
    names = sorted(results)
    return {
        'data_center': plan.get('data_center'),
        'bonds': plan.get('bonds') or [],
        'check_mode': bool(check_mode),
        'hosts': results,
        'non_operational': [n for n in names if results[n].get('status') not in (OPERATIONAL, DEGRADED) + NOT_JUDGED],
        'degraded': [n for n in names if results[n].get('status') == DEGRADED],
        'failed': [n for n in names if results[n].get('status') not in accepted],
        'engine_hosts_not_in_inventory': plan.get('engine_hosts_not_in_inventory') or [],
        'inventory_hosts_not_in_engine': plan.get('inventory_hosts_not_in_engine') or [],
        'engine_hosts_in_other_slices': plan.get('engine_hosts_in_other_slices') or [],
        'slice_count': int(slice_count or 1),
        'overview': overview(plan, results),
    }


def problem_order(hosts):
    """Host names, problem hosts first (non operational, not run, degraded), then by name."""
    return sorted(hosts, key=lambda name: (state_rank(hosts[name].get('state') or hosts[name].get('status')), name))


def _counts_line(summary):
    states = {}
    for item in (summary.get('overview') or {}).values():
        states[item['state']] = states.get(item['state'], 0) + 1
    parts = ['%d %s' % (states[s], s) for s in STATE_ORDER if states.get(s)]
    parts += ['%d %s' % (n, s) for s, n in sorted(states.items()) if s not in STATE_ORDER]
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
        line += '  missing: ' + '; '.join(item['missing'])
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
    degraded = [n for n in failed if n in (summary.get('degraded') or [])]
    if degraded:
        parts.append('degraded: %s (datacenter_paths_allow_degraded: true accepts it)' % ', '.join(degraded))
    return '; '.join(parts)
