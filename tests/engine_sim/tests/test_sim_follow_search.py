# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""follow=, search= and max= as the engine serves them, read through the real SDK."""

import ovirtsdk4 as sdk
from ovirtsdk4 import types
import pytest

from simhelp import connect


def test_one_request_for_the_data_center_with_everything(admin, sim, names):
    bond = names.bonds_service().add(types.IscsiBond(name='followed', networks=[types.Network(id=names.net('iscsi-a'))]))
    try:
        sim.reset_stats()
        dcs = admin.system_service().data_centers_service().list(
            search='name=Default', follow='iscsibonds,networks,clusters.networks,storagedomains')
        assert sim.stats()['requests'] == 1
        assert [dc.name for dc in dcs] == ['Default']
        dc = dcs[0]
        assert [b.name for b in dc.iscsi_bonds] == ['followed']
        assert [n.id for n in dc.iscsi_bonds[0].networks] == [names.net('iscsi-a')]
        assert sorted(n.name for n in dc.networks) == ['iscsi-a', 'iscsi-b', 'ovirtmgmt']
        cluster_networks = {n.name: n.required for n in dc.clusters[0].networks}
        assert cluster_networks == {'ovirtmgmt': True, 'iscsi-a': False, 'iscsi-b': False}
        assert sorted(d.name for d in dc.storage_domains) == ['iscsi-data', 'nfs-export']
        assert {d.name: d.status for d in dc.storage_domains}['iscsi-data'] == types.StorageDomainStatus.ACTIVE
    finally:
        names.bonds_service().iscsi_bond_service(bond.id).remove()


@pytest.mark.parametrize('follow', ['iscsi_bonds,networks,clusters.networks,storage_domains',
                                    'ISCSIBONDS,Networks,clusters.NETWORKS,storagedomains'])
def test_segments_match_rels_case_and_underscore_insensitively(admin, follow):
    dc = admin.system_service().data_centers_service().list(search='name=Default', follow=follow)[0]
    assert dc.iscsi_bonds is not None and len(dc.networks) == 3 and len(dc.clusters[0].networks) == 3
    assert len(dc.storage_domains) == 2


def test_hosts_of_a_dc_with_nics_and_attachments_in_one_request(admin, sim):
    sim.reset_stats()
    hosts = admin.system_service().hosts_service().list(search='datacenter=Default', follow='nics,networkattachments')
    assert sim.stats()['requests'] == 1
    assert sorted(h.name for h in hosts) == ['host1', 'host2']
    host1 = next(h for h in hosts if h.name == 'host1')
    assert host1.status == types.HostStatus.UP and host1.address == '198.18.0.11'
    nics = {n.name: n for n in host1.nics}
    eth1 = nics['eth1']
    assert (eth1.ip.address, eth1.ip.netmask, eth1.bridged) == ('198.18.1.11', '255.255.255.0', False)
    assert nics['eth0'].bridged is True and nics['eth1'].network.id
    attachments = {a.host_nic.id: a for a in host1.network_attachments}
    assert attachments[nics['eth2'].id].network.id == nics['eth2'].network.id
    assert attachments[nics['eth2'].id].ip_address_assignments[0].ip.address == '198.18.2.11'


def test_nested_follow_through_references(admin):
    hosts = admin.system_service().hosts_service().list(search='name=host1', follow='cluster.data_center,nics.network')
    assert hosts[0].cluster.name == 'Default' and hosts[0].cluster.data_center.name == 'Default'
    assert sorted(n.network.name for n in hosts[0].nics) == ['iscsi-a', 'iscsi-b', 'ovirtmgmt']
    hosts = admin.system_service().hosts_service().list(search='name=host1', follow='Cluster.DataCenter')
    assert hosts[0].cluster.data_center.name == 'Default'


def test_follow_on_a_single_entity(admin, names):
    dc = admin.system_service().data_centers_service().data_center_service(names.dcs['Default']).get(
        follow='storagedomains.storageconnections')
    iscsi = next(d for d in dc.storage_domains if d.name == 'iscsi-data')
    assert sorted(c.address for c in iscsi.storage_connections) == ['198.18.1.100', '198.18.2.100']
    assert all(c.password is None for c in iscsi.storage_connections)


def test_bond_connection_list_cannot_be_followed(admin, names):
    """The engine names the link storageserverconnections: no attribute matches, and
    storage_connections is a list, not a reference (LinkFollower fails: 500)."""
    bonds = names.bonds_service()
    bond = bonds.add(types.IscsiBond(name='nofollow', storage_connections=[
        types.StorageConnection(id=names.domains['iscsi-data'][0])]))
    service = bonds.iscsi_bond_service(bond.id)
    try:
        for follow in ('storage_connections', 'storageserverconnections'):
            with pytest.raises(sdk.Error) as excinfo:
                service.get(follow=follow)
            assert 'isn\'t the expected XML' in str(excinfo.value)
        assert [n.name for n in service.get(follow='networks').networks] == []
        fetched = service.get()
        with pytest.raises(Exception):
            admin.follow_link(fetched.storage_connections)
        one = admin.follow_link(fetched.storage_connections[0])
        assert one.address == '198.18.1.100' and one.target == 'iqn.2026-01.test.sim:storage'
        assert [n.name for n in admin.follow_link(service.get().networks)] == []
    finally:
        service.remove()


def test_empty_follow_is_ignored_and_unknown_segment_fails(admin):
    dcs = admin.system_service().data_centers_service()
    assert len(dcs.list(follow='')) == 2
    with pytest.raises(sdk.Error):
        dcs.list(follow='nosuchthing')


@pytest.mark.parametrize('query, expected', [
    ('name=Default', ['Default']),
    ('name="Default"', ['Default']),
    ('name=D*', ['Default']),
    ('name=*', ['Default', 'Other']),
    ('name=default', []),
    ('name!=Default', ['Other']),
    ('name=Default and status=up', ['Default']),
    ('name=Default and status=maintenance', []),
])
def test_data_center_search(admin, query, expected):
    found = admin.system_service().data_centers_service().list(search=query)
    assert sorted(dc.name for dc in found) == expected


def test_search_case_insensitive_when_asked(admin):
    found = admin.system_service().data_centers_service().list(search='name=default', case_sensitive=False)
    assert [dc.name for dc in found] == ['Default']


def test_search_in_other_collections(admin):
    system = admin.system_service()
    assert [h.name for h in system.hosts_service().list(search='datacenter=Other')] == []
    up_hosts = system.hosts_service().list(search='cluster=Default and status=up')
    assert sorted(h.name for h in up_hosts) == ['host1', 'host2']
    assert [n.name for n in system.networks_service().list(search='name=iscsi-a and datacenter=Default')] == ['iscsi-a']
    assert sorted(d.name for d in system.storage_domains_service().list(search='datacenter=Default')) == [
        'iscsi-data', 'nfs-export']
    with pytest.raises(sdk.Error) as excinfo:
        system.hosts_service().list(search='nosuchfield=1')
    assert excinfo.value.code == 400


def test_max(admin):
    system = admin.system_service()
    assert len(system.hosts_service().list(max=1)) == 1
    assert len(system.networks_service().list(max=2)) == 2
    assert len(system.data_centers_service().list(max=0)) == 0


def test_cluster_and_dc_network_views(admin, names):
    system = admin.system_service()
    cluster = system.clusters_service().list(search='name=Default')[0]
    networks = system.clusters_service().cluster_service(cluster.id).networks_service().list()
    assert {n.name: n.required for n in networks} == {'ovirtmgmt': True, 'iscsi-a': False, 'iscsi-b': False}
    assert all(n.cluster.id == cluster.id for n in networks)
    dc_networks = system.data_centers_service().data_center_service(names.dcs['Default']).networks_service().list()
    assert all(n.href.startswith('/ovirt-engine/api/datacenters/') for n in dc_networks)


def test_vlan_networks_attach_to_the_base_nic_and_names_get_vdsm_names(engine_sim):
    seed = engine_sim.make_seed(hosts=1, networks=2, vlan_networks=True)
    seed['data_centers'][0]['networks'].append({'name': 'a-very-long-network-name'})
    with engine_sim.Simulator(seed=seed) as sim:
        connection = connect(sim)
        try:
            host = connection.system_service().hosts_service().list(follow='nics,network_attachments')[0]
            nics = {nic.name: nic for nic in host.nics}
            assert sorted(nics) == ['eth0', 'eth1', 'eth1.100', 'eth1.101']
            assert (nics['eth1.100'].vlan.id, nics['eth1.100'].base_interface) == (100, 'eth1')
            carriers = {a.network.id: a.host_nic.id for a in host.network_attachments}
            assert carriers[nics['eth1.101'].network.id] == nics['eth1'].id
            networks = {n.name: n for n in connection.system_service().networks_service().list()}
            assert networks['storage-001'].vlan.id == 101 and networks['storage-001'].vdsm_name == 'storage-001'
            long_one = networks['a-very-long-network-name']
            assert long_one.vdsm_name == 'on' + long_one.id.replace('-', '')[:13]
        finally:
            connection.close()
