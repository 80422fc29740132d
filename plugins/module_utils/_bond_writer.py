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

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._errors import engine_call, sdk
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
    if plan.update:
        with engine_call('update the name/description of iSCSI bond %s' % label):
            bond.update(types.IscsiBond(**plan.update))
    networks = bond.networks_service()
    connections = bond.storage_server_connections_service()
    for network_id in plan.networks_add:
        with engine_call('add network %s to iSCSI bond %s' % (snapshot.network_label(network_id), label)):
            networks.add(types.Network(id=network_id))
    for connection_id in plan.connections_add:
        with engine_call('add storage connection %s to iSCSI bond %s' % (snapshot.connection_label(connection_id), label)):
            connections.add(types.StorageConnection(id=connection_id))
    for connection_id in plan.connections_remove:
        with engine_call('remove storage connection %s from iSCSI bond %s' % (snapshot.connection_label(connection_id), label)):
            connections.storage_connection_service(connection_id).remove()
    for network_id in plan.networks_remove:
        with engine_call('remove network %s from iSCSI bond %s' % (snapshot.network_label(network_id), label)):
            networks.network_service(network_id).remove()
    return plan.bond_id
