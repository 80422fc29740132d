# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""From the engine's per-host plan to the host role's inputs, and the per-host report (pure).

The plan is iscsi_bond_info's RV(host_plan); the inventory is {inventory name: ansible_host}.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import format_portal

MATCH_RULES = ('address', 'name')


class DatacenterError(ValueError):
    """Input the playbook cannot use; the message names it."""


def role_inputs(host_plan, chap_secrets):
    """iscsi_paths_networks and iscsi_paths_targets of one engine host.

    Networks: the NICs carrying bond networks (bridged ones bind to the bridge, named after the
    network as VDSM does). Targets: portals grouped per IQN from the bond connections of the
    host's planned sessions; CHAP passwords from ``chap_secrets`` keyed by IQN.
    """
    networks = [dict(name=i['network'], nic=i['nic'], bridged=bool(i.get('bridged')),
                     **({'subnet': i['subnet']} if i.get('subnet') else {}))
                for i in host_plan.get('ifaces') or []]
    targets = {}
    for session in host_plan.get('sessions') or []:
        target = targets.setdefault(session['target'], {'iqn': session['target'], 'portals': []})
        portal = format_portal(session['address'], session.get('port') or 3260)
        if portal not in target['portals']:
            target['portals'].append(portal)
        if session.get('username'):
            if session['target'] not in chap_secrets:
                raise DatacenterError('target %s uses CHAP user %s: its secret is missing from the CHAP secrets '
                                      '(keyed by target IQN)' % (session['target'], session['username']))
            target['username'] = session['username']
            target['password'] = chap_secrets[session['target']]
    return networks, [targets[iqn] for iqn in sorted(targets)]


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


def datacenter_hosts(bond_info, inventory, rule='address', chap_secrets=None):
    """Everything the host play needs, per inventory host, and who did not match."""
    chap_secrets = chap_secrets or {}
    pairs, engine_missing, unknown = match_hosts(bond_info.get('host_plan') or [], inventory, rule)
    hosts = {}
    for name, plan in sorted(pairs.items()):
        networks, targets = role_inputs(plan, chap_secrets)
        hosts[name] = {
            'engine_name': plan['name'], 'engine_address': plan['address'], 'status': plan.get('status'),
            'cluster': plan.get('cluster'), 'networks': networks, 'targets': targets,
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
    }


def _path_cells(report):
    """(lun, target, network, iface, portal, state) rows of one host's role report."""
    for lun in report.get('luns') or []:
        for network in sorted(lun.get('networks') or {}):
            for path in lun['networks'][network]:
                yield lun['wwid'], lun.get('target') or '', network, path.get('iface') or '', path.get('portal') or '', path['state']
    for miss in report.get('missing') or []:
        yield miss.get('wwid') or '-', miss.get('target') or '', miss.get('network') or '', miss.get('iface') or '', '-', 'MISSING: %s' % miss['reason']
    for miss in report.get('would_create') or []:
        yield miss.get('wwid') or '-', miss.get('target') or '', miss.get('network') or '', miss.get('iface') or '', '-', 'would log in'


def paths_table(results):
    """A fixed-width text table of every host's result (``results``: {host: result dict})."""
    header = ('host', 'status', 'LUN', 'target', 'network', 'iface', 'portal', 'path state')
    rows = []
    for host in sorted(results):
        result = results[host]
        cells = list(_path_cells(result.get('report') or {}))
        if not cells:
            rows.append((host, result.get('status', '?'), '-', '-', '-', '-', '-', result.get('error') or 'no paths'))
        for cell in cells:
            rows.append((host, result.get('status', '?')) + tuple(cell))
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]

    def line(row):
        return '  '.join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip()
    return '\n'.join([line(header), line(['-' * w for w in widths])] + [line(r) for r in rows])
