# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per host: its LUNs by storage network, each path's state (pure; the host role's report).

Input is what the role already read (iscsi_paths_info's result) and its iface bindings, so the
report costs no further call on the host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_report import path_state


def network_label(iface, network_of_iface):
    """The storage network an iface stands for; a path through another iface is named by it."""
    return network_of_iface.get(iface) or 'iface %s (no storage network)' % iface


def paths_report(info, bindings, planned=None, leaving=None, leaving_ifaces=None):
    """The report dict of one host.

    ``info``: iscsi_paths_info's result (luns, sessions, missing); ``bindings``: the role's
    [{network, iface}]; ``planned``: [(target, iface)] logins that check mode would make, whose
    absence is then expected rather than missing; ``leaving``: [{target, portal, iface}] node
    records the role logs out right after (make before break reads before it removes), whose
    paths are listed under ``leaving`` instead of their LUN; ``leaving_ifaces``: ifaces it deletes.
    """
    network_of_iface = dict((b['iface'], b['network']) for b in bindings)
    planned = set(tuple(item) for item in planned or [])
    going = set((n.get('target'), n.get('portal'), n.get('iface')) for n in leaving or [])
    luns = []
    for lun in info.get('luns') or []:
        networks = {}
        for path in lun.get('paths') or []:
            if (path.get('target'), path.get('portal'), path.get('iface')) in going:
                continue
            networks.setdefault(network_label(path.get('iface'), network_of_iface), []).append({
                'iface': path.get('iface'), 'portal': path.get('portal'), 'device': path.get('device'),
                'state': path_state(path),
            })
        luns.append({
            'wwid': lun.get('wwid'),
            'target': next((p.get('target') for p in lun.get('paths') or []), None),
            'active_paths': lun.get('active_paths', 0),
            'networks': dict((name, sorted(paths, key=lambda p: (p['portal'] or '', p['device'] or '')))
                             for name, paths in networks.items()),
        })
    missing, would_create = [], []
    for miss in info.get('missing') or []:
        entry = dict(miss, network=network_label(miss.get('iface'), network_of_iface))
        (would_create if (miss.get('target'), miss.get('iface')) in planned else missing).append(entry)
    return {
        'luns': luns,
        'missing': missing,
        'would_create': would_create,
        'leaving': {'nodes': list(leaving or []), 'ifaces': list(leaving_ifaces or [])},
        'operational': not missing,
    }


def stray_sessions(sessions, iface_names, leaving):
    """Sessions through no storage network's iface, leaving out those about to be logged out.

    ``leaving``: [{target, portal, iface}] node records the role is about to remove.
    """
    going = set((n.get('target'), n.get('portal'), n.get('iface')) for n in leaving or [])
    return [s for s in sessions or []
            if s.get('iface') not in iface_names and (s.get('target'), s.get('portal'), s.get('iface')) not in going]


def missing_lines(report):
    """One readable line per missing path of a host's report (what lacks, where, and why), and one
    per target the host refused to release."""
    lines = []
    for miss in report.get('missing') or []:
        what = 'LUN %s' % miss['wwid'] if miss.get('wwid') else 'target %s' % miss.get('target')
        lines.append('%s has no active path through network %s (iface %s, portal %s): %s' % (
            what, miss.get('network'), miss.get('iface'), miss.get('portal', '?'), miss.get('reason')))
    # A target that left the engine's plan but is still in use on the host (kept whole).
    lines.extend(entry['reason'] for entry in report.get('refused') or [])
    return lines


def paths_summary(report):
    """The role's last line for a host: its state, LUN count and what is missing, then what check
    mode would log in, the sessions not tried, where the time went and the host lock's wait."""
    line = '%s: %d LUN(s)' % (report['state'], len(report['luns']))
    if report.get('missing'):
        line += ', missing: ' + '; '.join(missing_lines(report))
    if report.get('would_create'):
        ifaces = []
        for entry in report['would_create']:
            if entry['iface'] not in ifaces:
                ifaces.append(entry['iface'])
        line += '; check mode would log in ' + ', '.join(ifaces)
    if report.get('unreachable'):
        line += '; %d session(s) not routable (portal outside the subnet of its iface): not tried, not missing' % len(report['unreachable'])
    if 'seconds' in report:
        line += '; seconds: ' + ', '.join('%s %s' % item for item in report['seconds'].items())
    lock = report.get('lock') or {}
    if (lock.get('waited') or 0) >= 1:
        line += '; waited %.0f s for another run on this host' % lock['waited']
    if lock.get('took_over'):
        line += '; took over the host lock of a run that ended without releasing it: pid %s (%s)' % (
            lock['took_over'].get('pid'), lock['took_over'].get('module'))
    return line
