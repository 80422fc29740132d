# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Permissions of the three seed users, and the cascades the engine really does."""

import ovirtsdk4 as sdk
from ovirtsdk4 import types
import pytest
import yaml

from simhelp import Names, connect

NOT_AUTHORIZED = '[User is not authorized to perform this action.]'


@pytest.mark.parametrize('user', ['admin@internal', 'dcadmin@internal'])
def test_super_user_and_dc_admin_manage_bonds(sim, user):
    connection = connect(sim, user)
    try:
        names = Names(connection)
        bonds = names.bonds_service()
        bond = bonds.add(types.IscsiBond(name='by-%s' % user.split('@')[0]))
        service = bonds.iscsi_bond_service(bond.id)
        service.networks_service().add(types.Network(id=names.net('iscsi-a')))
        service.update(types.IscsiBond(description='edited'))
        service.remove()
    finally:
        connection.close()


def test_outsider_gets_403_on_every_write_and_nothing_changes(sim, admin):
    names = Names(admin)
    existing = names.bonds_service().add(types.IscsiBond(name='guarded'))
    outsider = connect(sim, 'outsider@internal')
    try:
        before = sim.state()
        bonds = Names(outsider).bonds_service()
        service = bonds.iscsi_bond_service(existing.id)
        attempts = [
            lambda: bonds.add(types.IscsiBond(name='intruder')),
            lambda: service.update(types.IscsiBond(description='x')),
            lambda: service.networks_service().add(types.Network(id=names.net('iscsi-a'))),
            service.remove,
        ]
        for attempt in attempts:
            with pytest.raises(sdk.AuthError) as excinfo:
                attempt()
            assert excinfo.value.code == 403
            assert excinfo.value.fault.detail == NOT_AUTHORIZED
        # Reading is allowed; the bond is still there, unchanged.
        assert service.get().name == 'guarded'
        assert sim.state() == before
        # The outsider administers the other data center.
        other = Names(outsider).bonds_service('Other')
        made = other.add(types.IscsiBond(name='own', networks=[types.Network(id=names.net('other-net', 'Other'))]))
        other.iscsi_bond_service(made.id).remove()
    finally:
        outsider.close()
        names.bonds_service().iscsi_bond_service(existing.id).remove()


def test_permission_is_checked_before_validation(sim):
    outsider = connect(sim, 'outsider@internal')
    try:
        with pytest.raises(sdk.AuthError) as excinfo:
            Names(outsider).bonds_service().add(types.IscsiBond(name='bad name!'))
        assert excinfo.value.code == 403
    finally:
        outsider.close()


def test_dc_permissions_collection(admin, names):
    perms = admin.system_service().data_centers_service().data_center_service(names.dcs['Default']).permissions_service()
    listed = perms.list()
    assert len(listed) == 1 and listed[0].role.id == 'def00002-0000-0000-0000-def000000002'
    role = admin.follow_link(listed[0].role)
    assert role.name == 'DataCenterAdmin'
    permits = admin.system_service().roles_service().role_service(role.id).permits_service().list()
    assert 'edit_storage_pool_configuration' in [p.name for p in permits]


def _seed_with_default_in_maintenance(engine_sim, hosts_status='up', drop_nfs=True):
    seed = yaml.safe_load(open(engine_sim.DEFAULT_SEED, encoding='utf-8'))
    default = seed['data_centers'][0]
    default['status'] = 'maintenance'
    if drop_nfs:
        default['storage_domains'] = [d for d in default['storage_domains'] if d['name'] != 'nfs-export']
    for host in default['clusters'][0]['hosts']:
        host['status'] = hosts_status
    return seed


def test_an_active_dc_cannot_be_removed(sim, names):
    before = sim.state()
    service = names.system.data_centers_service().data_center_service(names.dcs['Default'])
    for force in (False, True):
        with pytest.raises(sdk.Error) as excinfo:
            service.remove(force=force)
        assert (excinfo.value.code, excinfo.value.fault.detail) == (409, '[Cannot remove an active Data Center.]')
    assert sim.state() == before


def test_dc_removal_checks_domains_and_forced_removal_checks_hosts(engine_sim):
    with engine_sim.Simulator(seed=_seed_with_default_in_maintenance(engine_sim, drop_nfs=False)) as sim:
        connection = connect(sim)
        try:
            names = Names(connection)
            service = names.system.data_centers_service().data_center_service(names.dcs['Default'])
            with pytest.raises(sdk.Error) as excinfo:
                service.remove()
            assert excinfo.value.fault.detail == '[Cannot remove Data Center when more than one Storage Domain is attached.]'
            with pytest.raises(sdk.Error) as excinfo:
                service.remove(force=True)
            assert excinfo.value.fault.detail == ('[Cannot remove Data Center while there are Hosts that are not in '
                                                  'Maintenance mode.]')
        finally:
            connection.close()


@pytest.mark.parametrize('force, hosts_status, drop_nfs', [(False, 'up', True), (True, 'maintenance', False)])
def test_removing_a_dc_takes_its_bonds(force, hosts_status, drop_nfs, engine_sim):
    seed = _seed_with_default_in_maintenance(engine_sim, hosts_status, drop_nfs)
    seed['data_centers'][0]['iscsi_bonds'] = [{'name': 'goes', 'networks': ['iscsi-a']}]
    with engine_sim.Simulator(seed=seed) as sim:
        connection = connect(sim)
        try:
            names = Names(connection)
            assert [b['name'] for b in sim.state()['iscsi_bonds']] == ['goes']
            dc_service = names.system.data_centers_service().data_center_service(names.dcs['Default'])
            assert dc_service.remove(force=force) is None
            state = sim.state()
            assert state['iscsi_bonds'] == []
            assert [dc['name'] for dc in state['data_centers']] == ['Other']
            assert not [n for n in state['networks'] if n['data_center'] == names.dcs['Default']]
            with pytest.raises(sdk.NotFoundError):
                dc_service.get()
        finally:
            connection.close()


def test_network_in_a_bond_cannot_be_removed_until_it_leaves(fresh_sim):
    connection = connect(fresh_sim)
    try:
        names = Names(connection)
        bonds = names.bonds_service()
        first = bonds.add(types.IscsiBond(name='b1', networks=[types.Network(id=names.net('iscsi-b'))]))
        second = bonds.add(types.IscsiBond(name='b2', networks=[types.Network(id=names.net('iscsi-b'))]))
        dc_networks = names.system.data_centers_service().data_center_service(names.dcs['Default']).networks_service()
        for service in (dc_networks.network_service(names.net('iscsi-b')),
                        names.system.networks_service().network_service(names.net('iscsi-b'))):
            with pytest.raises(sdk.Error) as excinfo:
                service.remove()
            assert excinfo.value.code == 400
            assert excinfo.value.fault.detail == (
                "[The Network ('iscsi-b') could not be removed since several iSCSI bonds (2) are using this network:\n"
                " \tb1,\n\tb2.\nPlease remove the network first from those iSCSI bonds, and try again.]")
        for bond in (first, second):
            bonds.iscsi_bond_service(bond.id).networks_service().network_service(names.net('iscsi-b')).remove()
        assert dc_networks.network_service(names.net('iscsi-b')).remove() is None
        state = fresh_sim.state()
        assert names.net('iscsi-b') not in [n['id'] for n in state['networks']]
        assert not [c for c in state['cluster_networks'] if c['network'] == names.net('iscsi-b')]
    finally:
        connection.close()


def test_connection_used_by_a_domain_cannot_be_removed(fresh_sim):
    connection = connect(fresh_sim)
    try:
        names = Names(connection)
        connections = names.system.storage_connections_service()
        used = names.domains['iscsi-data'][0]
        before = fresh_sim.state()
        with pytest.raises(sdk.Error) as excinfo:
            connections.storage_connection_service(used).remove()
        assert excinfo.value.code == 409
        assert excinfo.value.fault.detail == ('[Cannot remove Storage Connection. Storage connection parameters are used '
                                              'by the following storage domains : iscsi-data.]')
        assert fresh_sim.state() == before
        added = connections.add(types.StorageConnection(type=types.StorageType.ISCSI, address='198.18.1.101',
                                                        port=3260, target='iqn.2026-01.test.sim:extra',
                                                        username='chap', password='chap-secret'))
        assert added.password is None and added.username == 'chap'
        assert 'chap-secret' not in str(fresh_sim.state())
        assert connections.storage_connection_service(added.id).remove() is None
    finally:
        connection.close()


def test_a_removed_connection_leaves_its_bonds(engine_sim):
    """A bond can hold a connection no domain uses any more (its domain went away); the seed says so."""
    seed = yaml.safe_load(open(engine_sim.DEFAULT_SEED, encoding='utf-8'))
    seed['storage_connections'] = [{'id': '00000000-0000-0000-0000-0000000000c1', 'address': '198.18.1.102',
                                    'port': 3260, 'target': 'iqn.2026-01.test.sim:old'}]
    default = seed['data_centers'][0]
    default['iscsi_bonds'] = [{'name': 'keeps', 'networks': ['iscsi-a'], 'connections': [
        '00000000-0000-0000-0000-0000000000c1', {'address': '198.18.1.100', 'port': 3260,
                                                 'target': 'iqn.2026-01.test.sim:storage'}]}]
    with engine_sim.Simulator(seed=seed) as sim:
        connection = connect(sim)
        try:
            names = Names(connection)
            bond = names.bonds_service().list()[0]
            assert len(bond.storage_connections) == 2
            service = names.system.storage_connections_service().storage_connection_service(
                '00000000-0000-0000-0000-0000000000c1')
            assert service.remove() is None
            bond = names.bonds_service().iscsi_bond_service(bond.id).get()
            assert [c.id for c in bond.storage_connections] == [names.domains['iscsi-data'][0]]
            assert [n.id for n in bond.networks] == [names.net('iscsi-a')]
        finally:
            connection.close()


def test_networks_added_to_a_dc_and_attached_to_a_cluster(fresh_sim):
    connection = connect(fresh_sim)
    try:
        names = Names(connection)
        system = names.system
        dc_networks = system.data_centers_service().data_center_service(names.dcs['Default']).networks_service()
        added = dc_networks.add(types.Network(name='iscsi-c', vlan=types.Vlan(id=300)))
        assert added.data_center.id == names.dcs['Default'] and added.vlan.id == 300
        top = system.networks_service().add(types.Network(name='iscsi-d', data_center=types.DataCenter(name='Default')))
        with pytest.raises(sdk.Error) as excinfo:
            dc_networks.add(types.Network(name='iscsi-c'))
        assert excinfo.value.code == 409
        assert "The name of the logical network 'iscsi-c' is already used" in excinfo.value.fault.detail
        cluster = system.clusters_service().list(search='name=Default')[0]
        cluster_networks = system.clusters_service().cluster_service(cluster.id).networks_service()
        attached = cluster_networks.add(types.Network(id=added.id, required=True))
        assert attached.required is True and attached.cluster.id == cluster.id
        cluster_networks.add(types.Network(name='iscsi-d', required=False))
        with pytest.raises(sdk.Error) as excinfo:
            names.bonds_service().add(types.IscsiBond(name='req', networks=[types.Network(id=added.id)]))
        assert excinfo.value.code == 400 and 'Required network' in excinfo.value.fault.detail
        bond = names.bonds_service().add(types.IscsiBond(name='ok', networks=[types.Network(id=top.id)]))
        assert [n.id for n in bond.networks] == [top.id]
        assert cluster_networks.network_service(added.id).remove() is None
        with pytest.raises(sdk.NotFoundError):
            cluster_networks.network_service(added.id).get()
        # No longer required anywhere: it may join a bond now.
        names.bonds_service().iscsi_bond_service(bond.id).networks_service().add(types.Network(id=added.id))
        outsider = connect(fresh_sim, 'outsider@internal')
        try:
            with pytest.raises(sdk.AuthError):
                Names(outsider).system.data_centers_service().data_center_service(
                    names.dcs['Default']).networks_service().add(types.Network(name='nope'))
        finally:
            outsider.close()
    finally:
        connection.close()
