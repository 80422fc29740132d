# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one data center looks like to the bond modules, read in two requests.

``read_snapshot`` asks the engine for the data center with its networks,
iSCSI bonds and clusters' networks (one request, ``follow=``), then for the
data center's storage domains with their storage connections (one request,
``search=`` + ``follow=``). The number of requests does not depend on how
many bonds, networks or connections there are. ``snapshot_from_sdk`` turns
those SDK objects into plain records and is pure, so it is unit-tested
with SDK types built in memory.

Why not ``connection.follow_link(bond.storage_connections)``: the engine
names that link ``storageserverconnections`` but the SDK reader only knows
``storageconnections``, so the list has no href. The bond XML carries the
member ids inline, and the DC's storage domains give their details.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import re

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._errors import (
    ModuleError, ValidationError, engine_call,
)

Network = collections.namedtuple('Network', 'id name vdsm_name vlan_id')
Cluster = collections.namedtuple('Cluster', 'id name network_ids required_ids')
Bond = collections.namedtuple('Bond', 'id name description network_ids connection_ids')
Domain = collections.namedtuple('Domain', 'id name storage_type connection_ids')
Connection = collections.namedtuple('Connection', 'id type address port target username')

_UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')

# One request each; see the module docstring.
DC_FOLLOW = 'networks,iscsi_bonds,clusters.networks'
DOMAINS_FOLLOW = 'storage_connections'


def _enum(value):
    return getattr(value, 'value', value)


def _ids(items):
    return [item.id for item in (items or []) if getattr(item, 'id', None)]


def connection_from_sdk(item):
    return Connection(
        id=item.id, type=_enum(item.type), address=item.address,
        port=item.port, target=item.target, username=item.username,
    )


class Snapshot:
    """Plain records of one data center: networks, clusters, bonds, domains, connections."""

    def __init__(self, dc_id, dc_name, networks, clusters, bonds, domains, connections):
        self.dc_id = dc_id
        self.dc_name = dc_name
        self.networks = collections.OrderedDict((n.id, n) for n in networks)
        self.clusters = collections.OrderedDict((c.id, c) for c in clusters)
        self.bonds = list(bonds)
        self.domains = collections.OrderedDict((d.name, d) for d in domains)
        self.connections = collections.OrderedDict((c.id, c) for c in connections)

    def bond_named(self, name):
        """The bond of that exact name (the engine compares names case-sensitively)."""
        for bond in self.bonds:
            if bond.name == name:
                return bond
        return None

    def network_named(self, name):
        for network in self.networks.values():
            if network.name == name:
                return network
        return None

    def network_label(self, network_id):
        network = self.networks.get(network_id)
        return network.name if network else network_id

    def connection_label(self, connection_id):
        """``address:port target`` for display; the id when the DC does not know it."""
        connection = self.connections.get(connection_id)
        if connection is None or connection.address is None:
            return connection_id
        return '%s:%s %s' % (connection.address, connection.port, connection.target)

    def required_in(self, network_id):
        """Names of the clusters in which the network is required."""
        return [c.name for c in self.clusters.values() if network_id in c.required_ids]

    def iscsi_connections(self):
        return [c for c in self.connections.values() if c.type == 'iscsi']


def snapshot_from_sdk(dc, storage_domains):
    """A Snapshot from ``types.DataCenter`` (followed) and ``types.StorageDomain`` list."""
    networks = [
        Network(id=n.id, name=n.name, vdsm_name=getattr(n, 'vdsm_name', None) or n.name,
                vlan_id=getattr(n.vlan, 'id', None))
        for n in (dc.networks or [])
    ]
    clusters = [
        Cluster(id=c.id, name=c.name, network_ids=frozenset(_ids(c.networks)),
                required_ids=frozenset(n.id for n in (c.networks or []) if n.required))
        for c in (dc.clusters or [])
    ]
    bonds = [
        Bond(id=b.id, name=b.name, description=b.description,
             network_ids=_ids(b.networks), connection_ids=_ids(b.storage_connections))
        for b in (dc.iscsi_bonds or [])
    ]
    domains, connections = [], {}
    for sd in storage_domains or []:
        members = [connection_from_sdk(c) for c in (sd.storage_connections or [])]
        storage_type = _enum(getattr(sd.storage, 'type', None))
        domains.append(Domain(id=sd.id, name=sd.name, storage_type=storage_type,
                              connection_ids=[c.id for c in members]))
        for member in members:
            connections.setdefault(member.id, member)
    return Snapshot(dc.id, dc.name, networks, clusters, bonds, domains, connections.values())


def _search_value(text):
    # The engine's search language takes a quoted value; names allowed for
    # data centers cannot contain quotes, so escaping is only a safeguard.
    return '"%s"' % text.replace('\\', '\\\\').replace('"', '\\"')


def read_data_center(system, data_center, follow=DC_FOLLOW):
    """One request: the data center (by id or name) with ``follow`` applied."""
    centers = system.data_centers_service()
    if _UUID.match(data_center):
        try:
            with engine_call('read data center %s' % data_center):
                return centers.data_center_service(data_center).get(follow=follow)
        except ModuleError as error:
            if error.details.get('engine_error', {}).get('code') != 404:
                raise
            # Not an id after all: a data center may be named like one.
    with engine_call('search data center %s' % data_center):
        found = centers.list(search='name=%s' % _search_value(data_center), follow=follow)
    exact = [dc for dc in found if dc.name == data_center]
    if not exact:
        raise ModuleError('data center %r does not exist (or the user cannot see it)' % data_center)
    return exact[0]


def read_snapshot(system, data_center):
    """Two requests whatever the size: the data center, then its storage domains."""
    dc = read_data_center(system, data_center)
    with engine_call('list the storage domains of data center %s' % dc.name):
        domains = system.storage_domains_service().list(
            search='datacenter=%s' % _search_value(dc.name), follow=DOMAINS_FOLLOW)
    return snapshot_from_sdk(dc, domains)


def read_hosts(system, snapshot):
    """One request: every host of the data center with its NICs and network attachments."""
    with engine_call('list the hosts of data center %s' % snapshot.dc_name):
        return system.hosts_service().list(
            search='datacenter=%s' % _search_value(snapshot.dc_name),
            follow='nics,network_attachments')


def read_connection(system, connection_id):
    """One storage connection by id, or None (used only to explain a bad input)."""
    if not _UUID.match(connection_id):
        return None
    try:
        with engine_call('read storage connection %s' % connection_id):
            return connection_from_sdk(system.storage_connections_service().storage_connection_service(connection_id).get())
    except ModuleError as error:
        if error.details.get('engine_error', {}).get('code') == 404:
            return None
        raise


def data_centers_of_network(system, name):
    """Names of the data centers that have a network of that name (to explain a bad input)."""
    with engine_call('search network %s' % name):
        found = system.networks_service().list(search='name=%s' % _search_value(name))
    homes = []
    for network in found:
        if network.name == name and network.data_center is not None:
            with engine_call('read data center %s' % network.data_center.id):
                homes.append(system.data_centers_service().data_center_service(network.data_center.id).get().name)
    return homes


def complete_connections(system, snapshot, bonds):
    """Details of bond members no storage domain of the DC uses any more.

    At most one request (the list of all connections), and only when such a
    member exists; the bond's own connection list cannot be followed (see above).
    """
    unknown = set(c for b in bonds for c in b.connection_ids if c not in snapshot.connections)
    if not unknown:
        return
    with engine_call('list storage connections'):
        found = system.storage_connections_service().list()
    for item in found:
        if item.id in unknown:
            snapshot.connections[item.id] = connection_from_sdk(item)


def assume_bonds(snapshot, bonds, assumed):
    """``bonds`` with the ``assumed`` ones in place of those of the same name.

    ``assumed`` holds bonds as ``iscsi_bond`` returns them (RV ``iscsi_bond``),
    typically from a check-mode run that wrote nothing: the host plan then
    shows what those bonds would mean. An entry with ``state: absent`` leaves
    that bond out. Connections are taken by id (``complete_connections``
    reads those no storage domain holds). Raises ValidationError naming
    every entry it cannot use.
    """
    problems, by_name = [], collections.OrderedDict((b.name, b) for b in bonds)
    for index, entry in enumerate(assumed):
        name = entry.get('name') if isinstance(entry, dict) else None
        if not name:
            problems.append('assume_bonds[%d] has no name' % index)
            continue
        if entry.get('state', 'present') == 'absent':
            by_name.pop(name, None)
            continue
        network_ids = []
        for network in entry.get('networks') or []:
            found = snapshot.networks.get(network.get('id')) or snapshot.network_named(network.get('name'))
            if found is None:
                problems.append('assume_bonds[%d] (%s): no network %s in data center %s'
                                % (index, name, network.get('name') or network.get('id'), snapshot.dc_name))
            else:
                network_ids.append(found.id)
        connection_ids = [c.get('id') for c in entry.get('storage_connections') or []]
        if not all(connection_ids):
            problems.append('assume_bonds[%d] (%s): every storage connection needs its id' % (index, name))
        current = by_name.get(name)
        by_name[name] = Bond(id=entry.get('id') or getattr(current, 'id', None), name=name,
                             description=entry.get('description'), network_ids=network_ids,
                             connection_ids=connection_ids)
    if problems:
        raise ValidationError(problems)
    return sorted(by_name.values(), key=lambda b: b.name)
