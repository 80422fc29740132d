# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per host: which iSCSI ifaces and sessions the engine would have VDSM set up.

It follows the engine's expansion (ISCSIStorageHelper.updateIfaces and the
``GetIscsiIfacesByHostIdAndStorageTargetId`` query): for every connection of
a bond, one session per host NIC that carries one of the bond's networks,
provided the network is attached to the host's cluster. The iface is named
after the NIC; its ``net_ifacename`` is the network's bridge when the NIC is
bridged, else the NIC itself. A host that carries none of a bond's networks
logs in through the ``default`` iface, and so does every host for the
connections of the data center's iSCSI storage domains that no bond holds.
Each session (``_session``'s form) carries its iface's binding (network,
``net_ifacename``, subnet), so that nothing between this plan and the host computes it again,
its storage connection and every bond that asks for it.
Pure: SDK host objects in, dicts out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import ipaddress

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._bond import connection_facts
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session import DEFAULT_IFACE, add_bond, engine_session
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._snapshot import enum_value


def _attachment_ip(attachment):
    for assignment in getattr(attachment, 'ip_address_assignments', None) or []:
        if getattr(assignment.ip, 'address', None):
            return assignment.ip
    return None


def _subnet(ip):
    """CIDR of the network an engine Ip (address and netmask) sits in, or None when unknown.

    The host role reaches through an iface only the portals inside its network's subnet."""
    address, netmask = getattr(ip, 'address', None), getattr(ip, 'netmask', None)
    if not address or not netmask:
        return None
    try:
        return str(ipaddress.ip_network(u'%s/%s' % (address, netmask), strict=False))
    except ValueError:
        return None


class HostNetworks:
    """Which NIC carries which network on one host."""

    def __init__(self, host):
        self.nics = list(host.nics or [])
        self.by_id = dict((nic.id, nic) for nic in self.nics)
        self.by_name = dict((nic.name, nic) for nic in self.nics)
        self.carrier = {}
        for nic in self.nics:
            network_id = getattr(nic.network, 'id', None)
            if network_id and network_id not in self.carrier:
                self.carrier[network_id] = nic
        self.attachments = dict(
            (att.network.id, att) for att in (host.network_attachments or [])
            if att.network is not None and att.network.id
        )

    def iface_for(self, network):
        """(nic name, bridged, engine Ip or None) of the device carrying ``network``, or None."""
        attachment = self.attachments.get(network.id)
        nic = self.carrier.get(network.id)
        if nic is None and attachment is not None and attachment.host_nic is not None:
            # Attachments point at the base NIC; a VLAN network lives on BASE.VLAN.
            base = self.by_id.get(attachment.host_nic.id)
            if base is not None and network.vlan_id is not None and base.vlan is None:
                nic = self.by_name.get('%s.%s' % (base.name, network.vlan_id))
                if nic is None:
                    return '%s.%s' % (base.name, network.vlan_id), base.bridged, _attachment_ip(attachment)
            else:
                nic = base
        if nic is None:
            return None
        ip = nic.ip if getattr(nic.ip, 'address', None) else _attachment_ip(attachment)
        return nic.name, bool(nic.bridged), ip


DEFAULT_BINDING = dict(network=None, net_ifacename=None, subnet=None)


def unbonded_connection_ids(snapshot, all_bonds):
    """Connections of the data center's iSCSI storage domains that no bond holds, in domain order."""
    held = set(c for bond in all_bonds for c in bond.connection_ids)
    found = []
    for domain in snapshot.domains.values():
        if domain.storage_type != 'iscsi':
            continue
        found += [c for c in domain.connection_ids if c not in held and c not in found]
    return found


def portal_group_tag(snapshot, connection_id):
    """The connection's portal group tag as the engine holds it; VDSM takes 1 when it has none."""
    known = snapshot.connections.get(connection_id)
    try:
        return int(getattr(known, 'portal', None) or 1)
    except ValueError:
        return 1


def _add_sessions(sessions, snapshot, connection_ids, bindings, bond_name):
    """One session per connection and binding; one that another bond asked for already gains this bond."""
    for connection_id in connection_ids:
        connection = connection_facts(snapshot, connection_id)
        for binding in bindings:
            key = (binding['name'], connection['address'], connection['port'], connection['target'])
            if key in sessions:
                add_bond(sessions[key], bond_name)
            else:
                sessions[key] = engine_session(binding, connection, tpgt=portal_group_tag(snapshot, connection_id), bond=bond_name)


def plan_host(snapshot, bonds, host, unbonded=()):
    """The plan of one host for the given bonds (snapshot Bond records) and the ``unbonded``
    connection ids (those no bond holds, through the ``default`` iface)."""
    cluster = snapshot.clusters.get(getattr(host.cluster, 'id', None))
    cluster_networks = cluster.network_ids if cluster else frozenset()
    carried = HostNetworks(host)
    ifaces = collections.OrderedDict()
    sessions = collections.OrderedDict()
    bond_plans = []
    for bond in bonds:
        bond_ifaces, missing = [], []
        for network_id in bond.network_ids:
            network = snapshot.networks.get(network_id)
            found = carried.iface_for(network) if network and network_id in cluster_networks else None
            if found is None:
                missing.append(snapshot.network_label(network_id))
                continue
            nic_name, bridged, ip = found
            iface = dict(name=nic_name, nic=nic_name, network=network.name,
                         net_ifacename=network.vdsm_name if bridged else nic_name,
                         bridged=bridged, ip=getattr(ip, 'address', None), subnet=_subnet(ip))
            bond_ifaces.append(iface)
            ifaces.setdefault(nic_name, iface)
        _add_sessions(sessions, snapshot, bond.connection_ids, bond_ifaces or [dict(DEFAULT_BINDING, name=DEFAULT_IFACE)], bond.name)
        bond_plans.append(dict(
            id=bond.id, name=bond.name, ifaces=bond_ifaces,
            missing_networks=missing, uses_default_iface=not bond_ifaces,
        ))
    _add_sessions(sessions, snapshot, unbonded, [dict(DEFAULT_BINDING, name=DEFAULT_IFACE)], None)
    return dict(
        id=host.id,
        name=host.name,
        address=host.address,
        status=enum_value(host.status),
        cluster=cluster.name if cluster else None,
        bonds=bond_plans,
        ifaces=list(ifaces.values()),
        sessions=list(sessions.values()),
        data_center_targets=sorted(set(c.target for c in snapshot.iscsi_connections() if c.target)),
    )


def plan_hosts(snapshot, bonds, hosts, all_bonds=None):
    """Plans for every host, sorted by name. ``all_bonds``: every bond of the data center (default
    ``bonds``); connections none of them holds go through the ``default`` iface."""
    unbonded = unbonded_connection_ids(snapshot, bonds if all_bonds is None else all_bonds)
    return [plan_host(snapshot, bonds, host, unbonded) for host in sorted(hosts, key=lambda h: h.name or '')]
