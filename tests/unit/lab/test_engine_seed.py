# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's engine seed: it loads in the simulator, describes the lab's guests, and the
engine's per-host plan read from it (real SDK, real HTTPS) gives the role the lab's NICs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ovirtsdk4 as sdk
import pytest
from ovirtsdk4 import types

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_plan import plan_hosts
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._snapshot import complete_connections, read_hosts, read_snapshot
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._datacenter import datacenter_hosts

from lablib import config, engine_seed

DESC = config.load(config.default_path())


@pytest.fixture(scope='module', name='system')
def fixture_system(engine_sim):
    with engine_sim.Simulator(seed=engine_seed.build(DESC, 3)) as sim:
        connection = sdk.Connection(url=sim.url, username='admin@internal', password=sim.password('admin@internal'), ca_file=sim.ca_file)
        yield connection.system_service()
        connection.close()


def test_hosts_nics_and_addresses_are_the_lab_guests(system):
    hosts = {h.name: h for h in system.hosts_service().list(follow='nics')}
    networks = {n.id: n.name for n in system.networks_service().list()}
    assert sorted(hosts) == [h['name'] for h in DESC['hosts'][:3]]
    for host in DESC['hosts'][:3]:
        engine = hosts[host['name']]
        assert engine.address == host['nics']['ovirtmgmt']['address']
        seen = {networks[nic.network.id]: (nic.name, nic.ip.address) for nic in engine.nics}
        assert seen == {net: (nic['nic'], nic['address']) for net, nic in host['nics'].items()}
    assert [networks[n.network.id] for n in hosts['host3'].nics] == ['ovirtmgmt']


def test_connections_are_every_target_on_every_storage_portal_with_the_chap_user(system):
    [domain] = system.storage_domains_service().list(follow='storage_connections')
    seen = sorted((c.target, c.address, c.port, c.username) for c in domain.storage_connections)
    storage = [n['target_address'] for n in DESC['networks'] if n['role'] == 'storage']
    wanted = sorted((t['iqn'], address, DESC['target']['port'], t.get('chap_user'))
                    for t in DESC['target']['targets'] for address in storage)
    assert seen == wanted and len(seen) == 6
    assert all(c.password is None for c in domain.storage_connections)


def test_host_plan_of_a_bond_gives_the_role_the_lab_nics_and_host3_the_default_iface(system):
    dc = system.data_centers_service().list(search='name=Default')[0]
    nets = {n.name: n.id for n in system.networks_service().list()}
    [domain] = system.storage_domains_service().list(follow='storage_connections')
    system.data_centers_service().data_center_service(dc.id).iscsi_bonds_service().add(types.IscsiBond(
        name='lab-bond', networks=[types.Network(id=nets['iscsi-a']), types.Network(id=nets['iscsi-b'])],
        storage_connections=[types.StorageConnection(id=c.id) for c in domain.storage_connections]))
    snapshot = read_snapshot(system, 'Default')
    complete_connections(system, snapshot, snapshot.bonds)
    info = {'data_center': {'name': 'Default'}, 'iscsi_bonds': [{'name': 'lab-bond'}],
            'host_plan': plan_hosts(snapshot, snapshot.bonds, read_hosts(system, snapshot))}
    inventory = {h['name']: h['nics']['ovirtmgmt']['address'] for h in DESC['hosts'][:3]}
    chap = {t['iqn']: 'not-a-real-secret' for t in DESC['target']['targets'] if t.get('chap_user')}
    hosts = datacenter_hosts(info, inventory, 'address', chap)['hosts']
    assert hosts['host1']['networks'] == [
        {'name': 'iscsi-a', 'nic': 'ens4', 'bridged': False, 'net_ifacename': 'ens4', 'subnet': '198.18.1.0/24'},
        {'name': 'iscsi-b', 'nic': 'ens5', 'bridged': False, 'net_ifacename': 'ens5', 'subnet': '198.18.2.0/24'}]
    portals = ['198.18.1.1', '198.18.2.1', '198.18.3.1']
    # The engine's pairing: every bond connection through every bond network; the subnet guard is the host's.
    assert sorted((s['iface'], s['address']) for s in hosts['host2']['sessions']) == sorted(
        (iface, address) for iface in ('ens4', 'ens5') for address in portals for dummy in (1, 2))
    assert {s['net_ifacename'] for s in hosts['host2']['sessions']} == {'ens4', 'ens5'}
    assert hosts['host3']['uses_default_iface'] and hosts['host3']['networks'] == []
    assert sorted((s['target'].rsplit(':', 1)[1], s.get('username')) for s in hosts['host3']['sessions']) == sorted(
        [('storage1', None)] * 3 + [('storage2', 'labchap')] * 3)
    assert {s['iface'] for s in hosts['host3']['sessions']} == {'default'}


def test_more_hosts_than_the_description_are_refused():
    with pytest.raises(config.ConfigError, match='--hosts 9'):
        engine_seed.build(DESC, 9)


def bridged_long_name_seed():
    """The lab's seed with iscsi-b renamed past a device name's 15 characters and bridged on host1:
    the engine then names its bridge 'on' + part of its id, not after the network."""
    seed = engine_seed.build(DESC, 2)
    [dc] = seed['data_centers']
    long_name = 'iscsi-storage-network-b'
    for network in dc['networks'] + dc['clusters'][0]['networks']:
        if network['name'] == 'iscsi-b':
            network['name'] = long_name
    for host in dc['clusters'][0]['hosts']:
        for nic in host['nics']:
            if nic['network'] == 'iscsi-b':
                nic['network'], nic['bridged'] = long_name, host['name'] == 'host1'
    return seed, long_name


def test_a_bridged_network_binds_to_the_bridge_the_engine_names_not_the_network_name(engine_sim):
    seed, long_name = bridged_long_name_seed()
    with engine_sim.Simulator(seed=seed) as sim:
        connection = sdk.Connection(url=sim.url, username='admin@internal', password=sim.password('admin@internal'), ca_file=sim.ca_file)
        system = connection.system_service()
        dc = system.data_centers_service().list(search='name=Default')[0]
        nets = {n.name: n for n in system.networks_service().list()}
        [domain] = system.storage_domains_service().list(follow='storage_connections')
        system.data_centers_service().data_center_service(dc.id).iscsi_bonds_service().add(types.IscsiBond(
            name='lab-bond', networks=[types.Network(id=nets['iscsi-a'].id), types.Network(id=nets[long_name].id)],
            storage_connections=[types.StorageConnection(id=c.id) for c in domain.storage_connections]))
        snapshot = read_snapshot(system, 'Default')
        info = {'data_center': {'name': 'Default'}, 'iscsi_bonds': [{'name': 'lab-bond'}],
                'host_plan': plan_hosts(snapshot, snapshot.bonds, read_hosts(system, snapshot))}
        connection.close()
    bridge = nets[long_name].vdsm_name
    assert bridge.startswith('on') and bridge != long_name and len(bridge) <= 15
    chap = {t['iqn']: 'not-a-real-secret' for t in DESC['target']['targets'] if t.get('chap_user')}
    inventory = {h['name']: h['nics']['ovirtmgmt']['address'] for h in DESC['hosts'][:2]}
    hosts = datacenter_hosts(info, inventory, 'address', chap)['hosts']
    bindings = {h: sorted({(s['iface'], s['net_ifacename'], s['network']) for s in hosts[h]['sessions']}) for h in hosts}
    # host1 bridges it: its iface ens5 binds to the engine's bridge; host2 does not: to the NIC.
    assert bindings['host1'] == [('ens4', 'ens4', 'iscsi-a'), ('ens5', bridge, long_name)]
    assert bindings['host2'] == [('ens4', 'ens4', 'iscsi-a'), ('ens5', 'ens5', long_name)]
