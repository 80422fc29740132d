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
    EngineError, ModuleError, ValidationError, engine_call,
)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import format_portal

Network = collections.namedtuple('Network', 'id name vdsm_name vlan_id')
Cluster = collections.namedtuple('Cluster', 'id name network_ids required_ids')
Bond = collections.namedtuple('Bond', 'id name description network_ids connection_ids')
Domain = collections.namedtuple('Domain', 'id name storage_type connection_ids')
# portal: the portal group tag the engine holds for an iSCSI connection (its 'portal' field).
Connection = collections.namedtuple('Connection', 'id type address port target username portal', defaults=(None,))

_UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')

# One request each; see the module docstring.
DC_FOLLOW = 'networks,iscsi_bonds,clusters.networks'
DOMAINS_FOLLOW = 'storage_connections'


def enum_value(value):
    return getattr(value, 'value', value)


def _ids(items):
    return [item.id for item in (items or []) if getattr(item, 'id', None)]


def connection_from_sdk(item):
    return Connection(
        id=item.id, type=enum_value(item.type), address=item.address,
        port=item.port, target=item.target, username=item.username, portal=getattr(item, 'portal', None),
    )


def portal_label(address, port, target):
    """``address:port target``, the address in brackets when it is IPv6 (as iscsiadm shows it)."""
    return '%s %s' % (format_portal(address, port), target)


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
        """``address:port target`` for display (``[addr]:port`` for IPv6); the id when the DC does not know it."""
        connection = self.connections.get(connection_id)
        if connection is None or connection.address is None:
            return connection_id
        return portal_label(connection.address, connection.port, connection.target)

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
        storage_type = enum_value(getattr(sd.storage, 'type', None))
        domains.append(Domain(id=sd.id, name=sd.name, storage_type=storage_type,
                              connection_ids=[c.id for c in members]))
        for member in members:
            connections.setdefault(member.id, member)
    return Snapshot(dc.id, dc.name, networks, clusters, bonds, domains, connections.values())


def _search_value(text):
    """``text`` as a quoted value of the engine's search language.

    A quoted value cannot hold a quote (the engine's parser knows no escape), so
    quotes and backslashes become the ``*`` wildcard: the search then returns a
    superset, and the callers given a user's name keep only the exact one (the
    engine allows neither character in the names it stores).
    """
    return '"%s"' % re.sub(r'["\\]', '*', text)


def read_data_center(system, data_center, follow=DC_FOLLOW):
    """One request: the data center (by id or name) with ``follow`` applied."""
    centers = system.data_centers_service()
    if _UUID.match(data_center):
        try:
            with engine_call('read data center %s' % data_center):
                return centers.data_center_service(data_center).get(follow=follow)
        except EngineError as error:
            if not error.not_found:
                raise
            # Not an id after all: a data center may be named like one.
    with engine_call('search data center %s' % data_center, collection=True):
        found = centers.list(search='name=%s' % _search_value(data_center), follow=follow)
    exact = [dc for dc in found if dc.name == data_center]
    if not exact:
        raise ModuleError('data center %r does not exist (or the user cannot see it)' % data_center)
    return exact[0]


def read_snapshot(system, data_center):
    """Two requests whatever the size: the data center, then its storage domains."""
    dc = read_data_center(system, data_center)
    with engine_call('list the storage domains of data center %s' % dc.name, collection=True):
        domains = system.storage_domains_service().list(
            search='datacenter=%s' % _search_value(dc.name), follow=DOMAINS_FOLLOW)
    return snapshot_from_sdk(dc, domains)


def read_hosts(system, snapshot):
    """One request: every host of the data center with its NICs and network attachments."""
    with engine_call('list the hosts of data center %s' % snapshot.dc_name, collection=True):
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
    except EngineError as error:
        if error.not_found:
            return None
        raise


def data_centers_of_network(system, name):
    """Names of the data centers that have a network of that name (to explain a bad input)."""
    with engine_call('search network %s' % name, collection=True):
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
    with engine_call('list storage connections', collection=True):
        found = system.storage_connections_service().list()
    for item in found:
        if item.id in unknown:
            snapshot.connections[item.id] = connection_from_sdk(item)


def _assumed_list(entry, key, where, problems):
    """``entry[key]`` as a list (missing: empty), or None after noting why not."""
    items = entry.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append('%s: %s must be a list, not %s' % (where, key, type(items).__name__))
        return None
    return items


def _assumed_networks(snapshot, entry, where, problems):
    """Ids of an entry's networks, each given as a name or as a dict with ``id`` or ``name``."""
    ids = []
    for network in _assumed_list(entry, 'networks', where, problems) or []:
        if isinstance(network, str):
            network = dict(name=network)
        keys = [network.get(key) for key in ('id', 'name')] if isinstance(network, dict) else []
        network_id, name = [key if isinstance(key, str) and key else None for key in keys] or [None, None]
        if not (network_id or name):
            problems.append('%s: each network is a name or a dict with id or name, not %r' % (where, network))
            continue
        found = snapshot.networks.get(network_id) or snapshot.network_named(name)
        if found is None:
            problems.append('%s: no network %s in data center %s' % (where, name or network_id, snapshot.dc_name))
        else:
            ids.append(found.id)
    return ids


def _assumed_connections(entry, where, problems):
    """Ids of an entry's connections, each given as an id or as a dict with ``id``."""
    ids = []
    for connection in _assumed_list(entry, 'storage_connections', where, problems) or []:
        connection_id = connection.get('id') if isinstance(connection, dict) else connection
        if not isinstance(connection_id, str) or not connection_id:
            problems.append('%s: every storage connection needs its id' % where)
            return ids
        ids.append(connection_id)
    return ids


def assume_bonds(snapshot, bonds, assumed):
    """``bonds`` with the ``assumed`` ones in place of those of the same name.

    ``assumed`` holds bonds as ``iscsi_bond`` returns them (RV ``iscsi_bond``),
    typically from a check-mode run that wrote nothing: the host plan then
    shows what those bonds would mean. Networks may also be plain names and
    connections plain ids, as ``iscsi_bond`` takes them. An entry with
    ``state: absent`` leaves that bond out. Raises ValidationError naming
    every entry it cannot use; ``check_assumed_connections`` then checks
    that the connections exist.
    """
    problems, by_name = [], collections.OrderedDict((b.name, b) for b in bonds)
    for index, entry in enumerate(assumed):
        name = entry.get('name') if isinstance(entry, dict) else None
        if not name or not isinstance(name, str):
            problems.append('assume_bonds[%d] has no name' % index)
            continue
        if entry.get('state', 'present') == 'absent':
            by_name.pop(name, None)
            continue
        where = 'assume_bonds[%d] (%s)' % (index, name)
        network_ids = _assumed_networks(snapshot, entry, where, problems)
        connection_ids = _assumed_connections(entry, where, problems)
        current = by_name.get(name)
        by_name[name] = Bond(id=entry.get('id') or getattr(current, 'id', None), name=name,
                             description=entry.get('description'), network_ids=network_ids,
                             connection_ids=connection_ids)
    if problems:
        raise ValidationError(problems)
    return sorted(by_name.values(), key=lambda b: b.name)


def check_assumed_connections(system, snapshot, assumed):
    """Refuse assumed connection ids the engine has not, or that are not iSCSI.

    At most one request (``complete_connections``), only when an assumed id is
    not a connection of the data center's storage domains.
    """
    wanted = collections.OrderedDict()
    for index, entry in enumerate(assumed):
        if entry.get('state', 'present') != 'absent':
            for connection_id in _assumed_connections(entry, '', []):
                wanted.setdefault(connection_id, 'assume_bonds[%d] (%s)' % (index, entry['name']))
    complete_connections(system, snapshot, [Bond(None, None, None, [], list(wanted))])
    problems = []
    for connection_id, where in wanted.items():
        known = snapshot.connections.get(connection_id)
        if known is None:
            problems.append('%s: storage connection %s does not exist' % (where, connection_id))
        elif known.type != 'iscsi':
            problems.append('%s: storage connection %s is of type %s, not iSCSI' % (where, connection_id, known.type))
    if problems:
        raise ValidationError(problems)
