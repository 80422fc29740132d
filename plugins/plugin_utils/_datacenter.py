# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""From the engine's per-host plan to the host role's inputs, and the per-host report (pure).

The plan is iscsi_bond_info's RV(host_plan); the inventory is {inventory name: ansible_host}.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._host_status import host_action

MATCH_RULES = ('address', 'name')


class DatacenterError(ValueError):
    """Input the playbook cannot use; the message names it."""


def role_inputs(host_plan, chap_secrets):
    """The host role's inputs of one engine host: its networks (for display) and its exact sessions.

    The sessions are the engine plan's own, each with its iface's binding, passed on unchanged
    but for the CHAP password, taken from ``chap_secrets`` keyed by IQN.
    """
    networks = [dict(name=i['network'], nic=i['nic'], bridged=bool(i.get('bridged')), net_ifacename=i.get('net_ifacename'),
                     **({'subnet': i['subnet']} if i.get('subnet') else {}))
                for i in host_plan.get('ifaces') or []]
    sessions = []
    for session in host_plan.get('sessions') or []:
        session = dict(session)
        if session.get('username'):
            if session['target'] not in chap_secrets:
                raise DatacenterError('target %s uses CHAP user %s: its secret is missing from the CHAP secrets '
                                      '(keyed by target IQN)' % (session['target'], session['username']))
            session['password'] = chap_secrets[session['target']]
        sessions.append(session)
    return networks, sessions


def match_hosts(host_plans, inventory, rule):
    """Pair engine hosts with inventory hosts.

    ``rule``: ``address`` (engine host address equals the inventory host's ansible_host, or its
    name when it has none) or ``name`` (engine host name equals the inventory name).
    Returns (pairs {inventory name: plan}, engine names not in the inventory, inventory names
    the engine does not know).
    """
    if rule not in MATCH_RULES:
        raise DatacenterError('match rule %r: use one of %s' % (rule, ', '.join(MATCH_RULES)))
    key_of_inventory = dict((name, (address or name) if rule == 'address' else name) for name, address in inventory.items())
    by_key = {}
    for name, key in sorted(key_of_inventory.items()):
        if key in by_key:
            raise DatacenterError('inventory hosts %s and %s both match %s by %s' % (by_key[key], name, key, rule))
        by_key[key] = name
    pairs, engine_missing = {}, []
    for plan in host_plans:
        inventory_name = by_key.get(plan['address'] if rule == 'address' else plan['name'])
        if inventory_name is None:
            engine_missing.append(plan['name'])
        else:
            pairs[inventory_name] = plan
    unknown = sorted(set(inventory) - set(pairs))
    return pairs, sorted(engine_missing), unknown


def datacenter_hosts(bond_info, inventory, rule='address', chap_secrets=None, slice_count=1, disconnect_maintenance=False):
    """Everything the host play needs, per inventory host, and who did not match.

    Each host's ``action`` is what its engine ``status`` lets the host play do (_host_status):
    ``converge``, ``leave`` (no host module runs on it), or ``disconnect`` for a host in
    maintenance when ``disconnect_maintenance`` asks for it.

    ``slice_count`` > 1: this run is one of that many job slices (AWX job slicing gives each
    slice every Nth host of the inventory, and does not tell the playbook which slice it is),
    so an engine host this slice's inventory lacks is in another slice, not missing: it is
    listed under ``engine_hosts_in_other_slices`` instead.
    """
    chap_secrets = chap_secrets or {}
    pairs, engine_missing, unknown = match_hosts(bond_info.get('host_plan') or [], inventory, rule)
    in_other_slices = []
    if int(slice_count or 1) > 1:
        in_other_slices, engine_missing = engine_missing, []
    hosts = {}
    for name, plan in sorted(pairs.items()):
        networks, sessions = role_inputs(plan, chap_secrets)
        hosts[name] = {
            'engine_name': plan['name'], 'engine_address': plan['address'], 'status': plan.get('status'),
            'action': host_action(plan.get('status'), disconnect_maintenance),
            'cluster': plan.get('cluster'), 'networks': networks, 'sessions': sessions,
            'engine_targets': plan.get('data_center_targets') or sorted(set(s['target'] for s in sessions)),
            'bonds': [b['name'] for b in plan.get('bonds') or []],
            'missing_networks': sorted(set(n for b in plan.get('bonds') or [] for n in b.get('missing_networks') or [])),
            'uses_default_iface': not networks,
        }
    return {
        'data_center': (bond_info.get('data_center') or {}).get('name'),
        'bonds': [b['name'] for b in bond_info.get('iscsi_bonds') or []],
        'hosts': hosts,
        'engine_hosts_not_in_inventory': engine_missing,
        'inventory_hosts_not_in_engine': unknown,
        'engine_hosts_in_other_slices': in_other_slices,
    }


def path_cells(report):
    """(lun, target, network, iface, portal, state) rows of one host's role report."""
    for lun in report.get('luns') or []:
        for network in sorted(lun.get('networks') or {}):
            for path in lun['networks'][network]:
                yield lun['wwid'], lun.get('target') or '', network, path.get('iface') or '', path.get('portal') or '', path['state']
    for miss in report.get('missing') or []:
        yield miss.get('wwid') or '-', miss.get('target') or '', miss.get('network') or '', miss.get('iface') or '', '-', 'MISSING: %s' % miss['reason']
    for miss in report.get('would_create') or []:
        yield miss.get('wwid') or '-', miss.get('target') or '', miss.get('network') or '', miss.get('iface') or '', '-', 'would log in'
    # Not tried by design, so not missing: said as what they are.
    for entry in report.get('unreachable') or []:
        yield ('-', entry.get('target') or '', entry.get('network') or '', entry.get('iface') or '', entry.get('portal') or '-',
               'not routable: %s' % entry.get('reason'))


def paths_table(results):
    """A fixed-width text table of every host's result (``results``: {host: result dict})."""
    header = ('host', 'status', 'LUN', 'target', 'network', 'iface', 'portal', 'path state')
    rows = []
    for host in sorted(results):
        result = results[host]
        cells = list(path_cells(result.get('report') or {}))
        if not cells:
            rows.append((host, result.get('status', '?'), '-', '-', '-', '-', '-', result.get('error') or 'no paths'))
        for cell in cells:
            rows.append((host, result.get('status', '?')) + tuple(cell))
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]

    def line(row):
        return '  '.join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip()
    return '\n'.join([line(header), line(['-' * w for w in widths])] + [line(r) for r in rows])
