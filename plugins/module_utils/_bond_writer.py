# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Carry out a BondPlan on the engine, and explain bad input with a few reads.

Members are changed only through the bond's ``networks`` and
``storageserverconnections`` sub-collections: the engine *appends* the
members found in a PUT body, so a PUT carries only name and description.
Additions go before removals, so a bond never passes through a state with
fewer paths than both the old and the new one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._errors import EngineError, engine_call, sdk
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._snapshot import (
    data_centers_of_network, read_connection,
)


class EngineLookup:
    """Reads used only after the input is known to be wrong, to name the cause."""

    def __init__(self, system):
        self.system = system

    def connection(self, connection_id):
        return read_connection(self.system, connection_id)

    def network_homes(self, name):
        return data_centers_of_network(self.system, name)


def apply_plan(system, snapshot, plan, desired):
    """Write the plan; returns the bond id (None once removed)."""
    types = sdk.types
    bonds = system.data_centers_service().data_center_service(snapshot.dc_id).iscsi_bonds_service()
    if plan.action == 'create':
        with engine_call('add iSCSI bond %s to data center %s' % (desired.name, snapshot.dc_name)):
            created = bonds.add(types.IscsiBond(
                name=desired.name,
                description=desired.description,
                networks=[types.Network(id=i) for i in desired.network_ids],
                storage_connections=[types.StorageConnection(id=i) for i in desired.connection_ids],
            ))
        return created.id
    if plan.action == 'none':
        return plan.bond_id
    bond = bonds.iscsi_bond_service(plan.bond_id)
    label = plan.before.get('name', plan.bond_id)
    if plan.action == 'remove':
        with engine_call('remove iSCSI bond %s' % label):
            bond.remove()
        return None
    networks = bond.networks_service()
    connections = bond.storage_server_connections_service()
    steps = []
    if plan.update:
        steps.append(('update the name/description of iSCSI bond %s' % label,
                      functools.partial(bond.update, types.IscsiBond(**plan.update)),
                      lambda view: view.update(plan.update)))
    for network_id in plan.networks_add:
        name = snapshot.network_label(network_id)
        steps.append(('add network %s to iSCSI bond %s' % (name, label),
                      functools.partial(networks.add, types.Network(id=network_id)),
                      functools.partial(_add, 'networks', name)))
    for connection_id in plan.connections_add:
        portal = snapshot.connection_label(connection_id)
        steps.append(('add storage connection %s to iSCSI bond %s' % (portal, label),
                      functools.partial(connections.add, types.StorageConnection(id=connection_id)),
                      functools.partial(_add, 'storage_connections', portal)))
    for connection_id in plan.connections_remove:
        portal = snapshot.connection_label(connection_id)
        steps.append(('remove storage connection %s from iSCSI bond %s' % (portal, label),
                      connections.storage_connection_service(connection_id).remove,
                      functools.partial(_remove, 'storage_connections', portal)))
    for network_id in plan.networks_remove:
        name = snapshot.network_label(network_id)
        steps.append(('remove network %s from iSCSI bond %s' % (name, label),
                      networks.network_service(network_id).remove,
                      functools.partial(_remove, 'networks', name)))
    _run_steps(steps, plan.before)
    return plan.bond_id


def _add(key, label, view):
    view[key] = sorted(view[key] + [label])


def _remove(key, label, view):
    view[key] = [item for item in view[key] if item != label]


def _run_steps(steps, before):
    """Run (action, write, effect) steps in order. The engine has no transaction:
    a failure after some writes says what they were, with changed and the diff
    of what the engine now holds, so the task does not claim nothing changed."""
    view = dict(before, networks=list(before['networks']), storage_connections=list(before['storage_connections']))
    done = []
    for action, write, effect in steps:
        try:
            with engine_call(action):
                write()
        except EngineError as error:
            if done:
                error.msg += '; already written before this failure: %s' % '; '.join(done)
                error.details.update(changed=True, diff=dict(before=before, after=view))
            raise
        effect(view)
        done.append(action)
