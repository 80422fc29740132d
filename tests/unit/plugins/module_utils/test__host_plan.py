# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ovirtsdk4 import types

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_plan import plan_hosts
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._snapshot import snapshot_from_sdk
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.engine_fixtures import (
    BOND, CL, IQN, MGMT, PORTAL_A, PORTAL_B, STOR1, STOR2, sdk_domains, sdk_dc,
)


def nic(nic_id, name, network=None, bridged=False, ip=None, vlan=None):
    return types.HostNic(id=nic_id, name=name, bridged=bridged, vlan=types.Vlan(id=vlan) if vlan else None,
                         network=types.Network(id=network) if network else None,
                         ip=types.Ip(address=ip) if ip else None)


def host(name, nics, attachments=(), cluster=CL, status=types.HostStatus.UP):
    return types.Host(id='h-' + name, name=name, address='198.18.0.%d' % (10 + len(name)), status=status,
                      cluster=types.Cluster(id=cluster), nics=nics, network_attachments=list(attachments))


def bond_snapshot():
    bond = types.IscsiBond(id=BOND, name='bond1', networks=[types.Network(id=STOR1), types.Network(id=STOR2)],
                           storage_connections=[types.StorageConnection(id=PORTAL_A), types.StorageConnection(id=PORTAL_B)])
    return snapshot_from_sdk(sdk_dc(bonds=[bond]), sdk_domains())


def test_host_with_both_networks_gets_one_iface_per_nic_and_every_session():
    snap = bond_snapshot()
    h = host('h1', [
        nic('n0', 'eth0', MGMT, bridged=True, ip='198.18.0.11'),
        nic('n1', 'eth1', STOR1, bridged=True, ip='198.18.1.11'),       # VM network: bridge named after the network
        nic('n2', 'eth2', None),
        nic('n3', 'eth2.100', STOR2, bridged=False, ip='198.18.2.11', vlan=100),
    ])
    [plan] = plan_hosts(snap, snap.bonds, [h])
    assert (plan['name'], plan['status'], plan['cluster']) == ('h1', 'up', 'cluster1')
    assert plan['ifaces'] == [
        dict(name='eth1', nic='eth1', network='storage1', net_ifacename='storage1', bridged=True, ip='198.18.1.11', subnet=None),
        dict(name='eth2.100', nic='eth2.100', network='storage2', net_ifacename='eth2.100', bridged=False, ip='198.18.2.11', subnet=None),
    ]
    assert plan['bonds'] == [dict(id=BOND, name='bond1', ifaces=plan['ifaces'], missing_networks=[], uses_default_iface=False)]
    assert [(s['iface'], s['address']) for s in plan['sessions']] == [
        ('eth1', '198.18.10.1'), ('eth2.100', '198.18.10.1'), ('eth1', '198.18.11.1'), ('eth2.100', '198.18.11.1')]
    assert plan['sessions'][2]['username'] == 'chapuser'
    assert all('password' not in s for s in plan['sessions'])
    assert plan['sessions'][0]['target'] == IQN and plan['sessions'][0]['port'] == 3260


def test_host_without_bond_networks_falls_back_to_default_iface():
    snap = bond_snapshot()
    [plan] = plan_hosts(snap, snap.bonds, [host('bare', [nic('n0', 'eth0', MGMT, bridged=True)])])
    assert plan['ifaces'] == []
    assert plan['bonds'][0]['uses_default_iface'] is True
    assert plan['bonds'][0]['missing_networks'] == ['storage1', 'storage2']
    assert [(s['iface'], s['connection_id']) for s in plan['sessions']] == [('default', PORTAL_A), ('default', PORTAL_B)]


def test_network_attachment_gives_the_nic_when_nic_lacks_the_network_and_vlan_device_is_derived():
    snap = bond_snapshot()
    attachments = [
        types.NetworkAttachment(network=types.Network(id=STOR1), host_nic=types.HostNic(id='n1'),
                                ip_address_assignments=[types.IpAddressAssignment(ip=types.Ip(address='198.18.1.12'))]),
        types.NetworkAttachment(network=types.Network(id=STOR2), host_nic=types.HostNic(id='n2')),
    ]
    [plan] = plan_hosts(snap, snap.bonds, [host('h2', [nic('n1', 'ens4'), nic('n2', 'ens5')], attachments)])
    assert [(i['name'], i['net_ifacename'], i['ip']) for i in plan['ifaces']] == [('ens4', 'ens4', '198.18.1.12'), ('ens5.100', 'ens5.100', None)]


def test_network_outside_the_host_cluster_is_not_used():
    snap = bond_snapshot()
    h = host('other', [nic('n1', 'eth1', STOR1, ip='198.18.1.13')], cluster='another-cluster')
    [plan] = plan_hosts(snap, snap.bonds, [h])
    assert plan['cluster'] is None and plan['bonds'][0]['uses_default_iface'] is True


def test_sessions_are_not_duplicated_across_bonds_and_hosts_sorted():
    bonds = [types.IscsiBond(id='b%d' % i, name='bond%d' % i, networks=[types.Network(id=STOR1)],
                             storage_connections=[types.StorageConnection(id=PORTAL_A)]) for i in (1, 2)]
    snap = snapshot_from_sdk(sdk_dc(bonds=bonds), sdk_domains())
    hosts = [host('zz', [nic('n1', 'eth1', STOR1)]), host('aa', [nic('n1', 'eth1', STOR1)], status=types.HostStatus.MAINTENANCE)]
    plans = plan_hosts(snap, snap.bonds, hosts)
    assert [p['name'] for p in plans] == ['aa', 'zz']
    assert plans[0]['status'] == 'maintenance'
    bonded = [s for s in plans[0]['sessions'] if s['bond']]
    assert len(bonded) == 1 and bonded[0]['bond'] == 'bond1'
    assert len(plans[0]['ifaces']) == 1 and len(plans[0]['bonds']) == 2


def test_connection_no_bond_holds_goes_through_default_on_every_host():
    bonds = [types.IscsiBond(id='b1', name='bond1', networks=[types.Network(id=STOR1)],
                             storage_connections=[types.StorageConnection(id=PORTAL_A)])]
    snap = snapshot_from_sdk(sdk_dc(bonds=bonds), sdk_domains())
    [plan] = plan_hosts(snap, snap.bonds, [host('h1', [nic('n1', 'eth1', STOR1, ip='198.18.1.11')])])
    assert [(s['iface'], s['connection_id'], s['bond'], s['net_ifacename']) for s in plan['sessions']] == [
        ('eth1', PORTAL_A, 'bond1', 'eth1'), ('default', PORTAL_B, None, None)]
    assert plan['data_center_targets'] == [IQN]


def test_connection_held_by_a_bond_left_out_by_name_is_not_unbonded():
    bonds = [types.IscsiBond(id='b%d' % i, name='bond%d' % i, networks=[types.Network(id=STOR1)],
                             storage_connections=[types.StorageConnection(id=c)]) for i, c in ((1, PORTAL_A), (2, PORTAL_B))]
    snap = snapshot_from_sdk(sdk_dc(bonds=bonds), sdk_domains())
    [plan] = plan_hosts(snap, snap.bonds[:1], [host('h1', [nic('n1', 'eth1', STOR1)])], all_bonds=snap.bonds)
    assert [(s['iface'], s['connection_id']) for s in plan['sessions']] == [('eth1', PORTAL_A)]


def test_sessions_carry_the_bridge_the_engine_names_not_the_network_name():
    snap = bond_snapshot()
    snap.networks[STOR1] = snap.networks[STOR1]._replace(vdsm_name='on0123456789abc')
    [plan] = plan_hosts(snap, snap.bonds, [host('h1', [nic('n1', 'eth1', STOR1, bridged=True)])])
    assert {s['net_ifacename'] for s in plan['sessions'] if s['iface'] == 'eth1'} == {'on0123456789abc'}
    assert {s['network'] for s in plan['sessions'] if s['iface'] == 'eth1'} == {'storage1'}


def test_iface_subnet_comes_from_the_nic_address_and_netmask():
    snap = bond_snapshot()
    h = host('h1', [types.HostNic(id='n1', name='ens4', bridged=False, network=types.Network(id=STOR1),
                                  ip=types.Ip(address='198.18.1.11', netmask='255.255.255.0'))])
    [plan] = plan_hosts(snap, snap.bonds, [h])
    assert plan['ifaces'][0]['subnet'] == '198.18.1.0/24'


def test_a_session_two_bonds_share_names_both_bonds_and_its_connection():
    """Two bonds with the same network and connection: one session, asked for by both."""
    bonds = [types.IscsiBond(id='b%d' % i, name='bond%d' % i, networks=[types.Network(id=STOR1)],
                             storage_connections=[types.StorageConnection(id=PORTAL_A)]) for i in (1, 2)]
    snap = snapshot_from_sdk(sdk_dc(bonds=bonds), sdk_domains())
    [plan] = plan_hosts(snap, snap.bonds, [host('h1', [nic('n1', 'eth1', STOR1)])])
    [shared] = [s for s in plan['sessions'] if s['iface'] == 'eth1']
    assert (shared['connection_id'], shared['bonds'], shared['bond']) == (PORTAL_A, ['bond1', 'bond2'], 'bond1')
    [unbonded] = [s for s in plan['sessions'] if s['iface'] == 'default']
    assert (unbonded['connection_id'], unbonded['bonds'], unbonded['bond']) == (PORTAL_B, [], None)
