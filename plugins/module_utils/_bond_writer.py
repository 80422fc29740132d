# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Carry out a BondPlan on the engine, and explain bad input with a few reads.

Members are changed only through the bond's ``networks`` and
``storageserverconnections`` sub-collections: the engine *appends* the
members found in a PUT body, so a PUT carries only name and description.
Additions go before removals, so a bond never passes through a state with
fewer paths than both the old and the new one.

Two runs may ensure the same bond at once (two AWX job slices, two plays):
both read "no such bond", both create, and the engine refuses the second
with 409. ``settle_lost_create`` reads again and takes the bond the other
run made when it is the one this task wants; it never writes a second time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._bond import plan, resolve
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._errors import (
    EngineError, ValidationError, engine_call, sdk,
)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._snapshot import (
    data_centers_of_network, read_connection, read_snapshot,
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


def may_have_lost_create_race(bond_plan, error):
    """A create refused with 409: another run may have created the bond since this task read.

    The fault's text is not relied upon (409 also refuses a member of another data
    center); only a fresh read tells whether the bond is there now.
    """
    return bond_plan.action == 'create' and isinstance(error, EngineError) and error.conflict


def joined_plan(error, actual, desired, snapshot):
    """Pure: after a refused create and a fresh read, the plan (action 'none') of the bond
    another run created when it is this task's bond; otherwise ``error``, the engine's own
    message, is raised, with what the other run's bond has that this task does not want."""
    if actual is None:
        raise error  # No bond of that name: the 409 was about something else.
    bond_plan = plan(actual, desired, snapshot)
    if bond_plan.changed:
        differences = ['%s %s there, %s wanted' % (key, _shown(bond_plan.before.get(key)), _shown(value))
                       for key, value in sorted(bond_plan.after.items()) if bond_plan.before.get(key) != value]
        # Not made to match: that would fight the other run, which may still be writing.
        error.msg += ('; another run created iSCSI bond %s meanwhile, unlike this task (%s); nothing was written, '
                      'run the task again to change it' % (actual.name, '; '.join(differences)))
        error.details['diff'] = bond_plan.diff
        raise error
    return bond_plan


def _shown(value):
    return '[%s]' % ', '.join(value) if isinstance(value, list) else repr(value)


def settle_lost_create(system, params, lookup, error):
    """(snapshot, desired, plan 'none') read again, when the bond another run just created
    is this task's bond; otherwise the engine's ``error`` is raised. Two reads, no write."""
    snapshot = read_snapshot(system, params['data_center'])
    try:
        actual, desired = resolve(snapshot, params, lookup)
    except ValidationError as problems:
        error.msg += '; read again after it: %s' % problems.msg
        raise error from None
    return snapshot, desired, joined_plan(error, actual, desired, snapshot)
