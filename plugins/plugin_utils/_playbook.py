# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the composition playbooks work out between module calls (pure): the bonds as check mode
would leave them, the inventory's addresses, the printed plan and the bonds a network leaves.

Kept out of Jinja so that each decision is one function the unit tests reach.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import DEFAULT_NETWORK
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._host_status import CONVERGE, DISCONNECT


def would_be_bonds(ensured_results, assume_bonds=None):
    """The bonds check mode plans with: ``assume_bonds`` (what a caller such as retire_network
    would change), then each ensured bond as iscsi_bond returned it; a bond iscsi_bond returns
    nothing for (``state: absent``) is assumed gone.

    ``ensured_results``: the ``results`` of the looped iscsi_bond task (its items are the
    ``datacenter_paths_bonds`` entries)."""
    bonds = list(assume_bonds or [])
    for ensured in ensured_results or []:
        bonds.append(ensured.get('iscsi_bond') or {'name': ensured['item']['name'], 'state': 'absent'})
    return bonds


def inventory_addresses(names, hostvars):
    """{inventory name: its ansible_host, or None}: what datacenter_hosts matches by address."""
    addresses = {}
    for name in names:
        variables = hostvars[name]
        addresses[name] = variables['ansible_host'] if 'ansible_host' in variables else None
    return addresses


def plan_lines(plan):
    """One line per paired host of datacenter_hosts' plan: the storage networks it logs in through,
    or what its engine status lets the host play do instead (its ``action``)."""
    lines = []
    for name, host in sorted((plan.get('hosts') or {}).items()):
        action = host.get('action') or CONVERGE
        if action == CONVERGE:
            lines.append('%s through: %s' % (name, ', '.join(n['name'] for n in host.get('networks') or []) or DEFAULT_NETWORK))
        elif action == DISCONNECT:
            lines.append('%s (engine status %s): disconnect what this collection made' % (name, host.get('status')))
        else:
            lines.append('%s (engine status %s): left alone' % (name, host.get('status')))
    return lines


def host_plan_lines(host_plan):
    """One line per engine host of iscsi_bond_info's host_plan: which NIC carries each bond network."""
    return ['%s (%s): %s' % (host['name'], host.get('status'),
                             ', '.join('%s on %s' % (i['network'], i['name']) for i in host.get('ifaces') or [])
                             or 'no bond network, default iface')
            for host in host_plan or []]


def retire_plan(bonds, network):
    """What taking ``network`` out of the data center's bonds means, before anything changes.

    ``bonds``: iscsi_bond_info's ``iscsi_bonds``. Returns ``changes`` (each bond that holds the
    network, with the networks it keeps, in iscsi_bond's argument form) and ``only_network_of``
    (the bonds it is the only network of, which the engine cannot leave empty: refuse them all
    before the first write)."""
    changes, only_network_of = [], []
    for bond in bonds or []:
        names = [n['name'] for n in bond.get('networks') or []]
        if network not in names:
            continue
        kept = [n for n in names if n != network]
        if kept:
            changes.append({'name': bond['name'], 'networks': kept})
        else:
            only_network_of.append(bond['name'])
    return {'changes': changes, 'only_network_of': only_network_of}
