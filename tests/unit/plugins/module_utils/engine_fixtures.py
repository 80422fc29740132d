# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small data center built from SDK types in memory, as the engine returns it when followed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ovirtsdk4 import types

DC = 'dc000000-0000-4000-8000-000000000001'
MGMT, STOR1, STOR2, REQ = ('ne000000-0000-4000-8000-00000000000%d' % i for i in range(1, 5))
CL = 'c1000000-0000-4000-8000-000000000001'
PORTAL_A, PORTAL_B, NFS_CONN = ('co000000-0000-4000-8000-00000000000%d' % i for i in range(1, 4))
BOND = 'b0000000-0000-4000-8000-000000000001'
IQN = 'iqn.2026-01.test:lun'


def sdk_dc(bonds=None):
    networks = [
        types.Network(id=MGMT, name='ovirtmgmt'),
        types.Network(id=STOR1, name='storage1'),
        types.Network(id=STOR2, name='storage2', vlan=types.Vlan(id=100)),
        types.Network(id=REQ, name='required_net'),
    ]
    cluster = types.Cluster(id=CL, name='cluster1', networks=[
        types.Network(id=MGMT, name='ovirtmgmt', required=True),
        types.Network(id=STOR1, name='storage1', required=False),
        types.Network(id=STOR2, name='storage2', required=False),
        types.Network(id=REQ, name='required_net', required=True),
    ])
    if bonds is None:
        bonds = [types.IscsiBond(id=BOND, name='bond1', description='first',
                                 networks=[types.Network(id=STOR1)],
                                 storage_connections=[types.StorageConnection(id=PORTAL_A)])]
    return types.DataCenter(id=DC, name='dc1', networks=networks, clusters=[cluster], iscsi_bonds=bonds)


def sdk_domains():
    iscsi = types.StorageDomain(
        id='sd000000-0000-4000-8000-000000000001', name='iscsi_data',
        storage=types.HostStorage(type=types.StorageType.ISCSI),
        storage_connections=[
            types.StorageConnection(id=PORTAL_A, type=types.StorageType.ISCSI, address='198.18.10.1', port=3260, target=IQN),
            types.StorageConnection(id=PORTAL_B, type=types.StorageType.ISCSI, address='198.18.11.1', port=3260, target=IQN,
                                    username='chapuser'),
        ])
    nfs = types.StorageDomain(
        id='sd000000-0000-4000-8000-000000000002', name='nfs_data',
        storage=types.HostStorage(type=types.StorageType.NFS),
        storage_connections=[types.StorageConnection(id=NFS_CONN, type=types.StorageType.NFS, address='198.18.12.1', path='/x')])
    return [iscsi, nfs]


class FakeLookup:
    """Stands in for the engine reads that explain a bad input."""

    def __init__(self, connections=None, homes=None):
        self.connections = connections or {}
        self.homes = homes or {}
        self.calls = []

    def connection(self, connection_id):
        self.calls.append(('connection', connection_id))
        return self.connections.get(connection_id)

    def network_homes(self, name):
        self.calls.append(('network_homes', name))
        return self.homes.get(name, [])
