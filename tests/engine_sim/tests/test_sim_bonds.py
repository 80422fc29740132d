# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iSCSI bonds through the real SDK: answers, validations with the engine's texts and status codes."""

import base64
import json
import ssl
import urllib.request

import ovirtsdk4 as sdk
from ovirtsdk4 import types
import pytest

PREFIX = 'Cannot add iSCSI Bond. '


def _fault(excinfo):
    error = excinfo.value
    return error.code, error.fault.reason if error.fault else None, error.fault.detail if error.fault else None


def test_add_answers_201_with_location_and_the_bond(names, sim):
    bonds = names.bonds_service()
    conn_a = names.domains['iscsi-data'][0]
    bond = bonds.add(types.IscsiBond(name='added', description='two paths',
                                     networks=[types.Network(id=names.net('iscsi-a'))],
                                     storage_connections=[types.StorageConnection(id=conn_a)]))
    assert bond.name == 'added' and bond.description == 'two paths'
    assert [n.id for n in bond.networks] == [names.net('iscsi-a')]
    assert [c.id for c in bond.storage_connections] == [conn_a]
    assert bond.data_center.id == names.dcs['Default']
    assert bond.href == '/ovirt-engine/api/datacenters/%s/iscsibonds/%s' % (names.dcs['Default'], bond.id)
    # The SDK reader knows rel "networks" but not the engine's "storageserverconnections".
    assert bond.networks.href.endswith('/iscsibonds/%s/networks' % bond.id)
    assert bond.storage_connections.href is None
    log = sim.stats()['log']
    assert any(line.startswith('POST /ovirt-engine/api/datacenters/') for line in log)
    fetched = bonds.iscsi_bond_service(bond.id).get()
    assert fetched.id == bond.id and fetched.name == 'added'
    assert [b.name for b in bonds.list()].count('added') == 1
    bonds.iscsi_bond_service(bond.id).remove()


def test_add_status_and_location_header(names, sim):
    context = ssl.create_default_context(cafile=sim.ca_file)
    request = urllib.request.Request(
        sim.url + '/datacenters/%s/iscsibonds' % names.dcs['Default'], method='POST',
        data=b'<iscsi_bond><name>raw</name></iscsi_bond>',
        headers={'Content-Type': 'application/xml', 'Authorization': 'Basic ' + base64.b64encode(
            ('admin@internal:%s' % sim.password('admin@internal')).encode()).decode()})
    with urllib.request.urlopen(request, context=context) as answer:
        assert answer.status == 201
        location = answer.headers['Location']
        body = answer.read().decode()
    assert location.startswith('https://127.0.0.1:%d/ovirt-engine/api/datacenters/' % sim.port)
    assert '<link href="' in body and 'rel="storageserverconnections"' in body
    bond_id = location.rsplit('/', 1)[1]
    names.bonds_service().iscsi_bond_service(bond_id).remove()
    assert json.dumps(sim.state())  # the state is JSON


def test_remove_answers_action_complete_and_then_404(names):
    bonds = names.bonds_service()
    bond = bonds.add(types.IscsiBond(name='to-remove'))
    service = bonds.iscsi_bond_service(bond.id)
    assert service.remove() is None
    with pytest.raises(sdk.NotFoundError) as excinfo:
        service.get()
    assert excinfo.value.code == 404 and excinfo.value.fault is None
    with pytest.raises(sdk.NotFoundError):
        service.remove()


@pytest.mark.parametrize('bad_id', ['00000000-0000-0000-0000-00000000abcd', 'not-a-uuid'])
def test_unknown_or_malformed_id_is_404_with_empty_body(names, bad_id):
    with pytest.raises(sdk.NotFoundError) as excinfo:
        names.bonds_service().iscsi_bond_service(bad_id).get()
    assert excinfo.value.fault is None
    assert str(excinfo.value) == 'HTTP response code is 404.'


def test_duplicate_name_is_409(names):
    bonds = names.bonds_service()
    first = bonds.add(types.IscsiBond(name='dup'))
    try:
        with pytest.raises(sdk.Error) as excinfo:
            bonds.add(types.IscsiBond(name='dup'))
        expected = '[%siSCSI bond with the same name already exists in the Data Center.]' % PREFIX
        assert _fault(excinfo) == (409, 'Operation Failed', expected)
        assert str(excinfo.value) == ('Fault reason is "Operation Failed". Fault detail is "[Cannot add iSCSI Bond. '
                                      'iSCSI bond with the same name already exists in the Data Center.]". '
                                      'HTTP response code is 409.')
        # Case-sensitive: another case is another name.
        other = bonds.add(types.IscsiBond(name='DUP'))
        bonds.iscsi_bond_service(other.id).remove()
    finally:
        bonds.iscsi_bond_service(first.id).remove()


def test_network_of_another_dc_is_409_with_ids(names):
    foreign = names.net('other-net', 'Other')
    with pytest.raises(sdk.Error) as excinfo:
        names.bonds_service().add(types.IscsiBond(name='foreign', networks=[types.Network(id=foreign)]))
    expected = '[%sThe following Logical Networks: %s do not exist in the Data Center: %s.]' % (
        PREFIX, foreign, names.dcs['Default'])
    assert _fault(excinfo) == (409, 'Operation Failed', expected)


def test_unknown_networks_are_listed_comma_separated(names):
    unknown = ['00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000a2']
    with pytest.raises(sdk.Error) as excinfo:
        names.bonds_service().add(types.IscsiBond(name='unknown-nets', networks=[types.Network(id=i) for i in unknown]))
    assert excinfo.value.code == 409
    assert '%s,%s do not exist' % tuple(unknown) in excinfo.value.fault.detail


def test_required_network_is_400(names):
    with pytest.raises(sdk.Error) as excinfo:
        names.bonds_service().add(types.IscsiBond(name='req', networks=[types.Network(id=names.net('ovirtmgmt'))]))
    assert _fault(excinfo) == (400, 'Operation Failed', '[%sRequired network cannot be a part of an iSCSI bond.]' % PREFIX)


@pytest.mark.parametrize('domain', ['nfs-export', 'other-iscsi'])
def test_connection_not_iscsi_or_not_of_the_dc_is_409(names, domain):
    connection = names.domains[domain][0]
    with pytest.raises(sdk.Error) as excinfo:
        names.bonds_service().add(types.IscsiBond(name='badconn',
                                                  storage_connections=[types.StorageConnection(id=connection)]))
    code, reason, detail = _fault(excinfo)
    assert (code, reason) == (409, 'Operation Failed')
    assert detail == (
        '[Cannot add iSCSI Bond. The following storage connections %s cannot be added to the specified iSCSI bond. \n'
        'Possible reasons:\n- They are not of type iSCSI.\n- Their status is not one of the following: Unknown, '
        'Active. Inactive.\n- They already exist in the iSCSI bond.\n- They do not belong to the same Data Center as '
        'the specified iSCSI bond.]' % connection)


def test_validation_order_name_before_networks_before_connections(names):
    bonds = names.bonds_service()
    first = bonds.add(types.IscsiBond(name='order'))
    try:
        with pytest.raises(sdk.Error) as excinfo:
            bonds.add(types.IscsiBond(name='order', networks=[types.Network(id=names.net('ovirtmgmt'))]))
        assert excinfo.value.code == 409 and 'same name' in excinfo.value.fault.detail
        with pytest.raises(sdk.Error) as excinfo:
            bonds.add(types.IscsiBond(name='order2', networks=[types.Network(id=names.net('ovirtmgmt'))],
                                      storage_connections=[types.StorageConnection(id=names.domains['nfs-export'][0])]))
        assert excinfo.value.code == 400 and 'Required network' in excinfo.value.fault.detail
    finally:
        bonds.iscsi_bond_service(first.id).remove()


def test_missing_name_is_incomplete_parameters(names):
    with pytest.raises(sdk.Error) as excinfo:
        names.bonds_service().add(types.IscsiBond(description='no name'))
    assert _fault(excinfo) == (400, 'Incomplete parameters', 'IscsiBond [name] required for add')


@pytest.mark.parametrize('name, description, detail', [
    ('x' * 51, None, '[iSCSI bond name must not exceed 50 characters, Attribute: iscsiBond.name]'),
    ('bad name!', None, '[iSCSI bond name must be formed from alpha-numeric characters, periods (.), hyphens (-), '
                        'and underscores (_)., Attribute: iscsiBond.name]'),
    ('ok', 'd' * 4001, '[iSCSI bond description must not exceed 4000 characters, Attribute: iscsiBond.description]'),
])
def test_bean_validation_is_400_with_attribute(names, name, description, detail):
    with pytest.raises(sdk.Error) as excinfo:
        names.bonds_service().add(types.IscsiBond(name=name, description=description))
    assert _fault(excinfo) == (400, 'Operation Failed', detail)


def test_name_limits_that_pass(names):
    bonds = names.bonds_service()
    for name in ('x' * 50, 'Ünïcode.name_1-2'):
        bond = bonds.add(types.IscsiBond(name=name, description='d' * 4000))
        bonds.iscsi_bond_service(bond.id).remove()


def test_members_add_and_remove_answer_actions(names):
    bonds = names.bonds_service()
    bond = bonds.add(types.IscsiBond(name='members'))
    service = bonds.iscsi_bond_service(bond.id)
    try:
        conn_a, conn_b = names.domains['iscsi-data']
        action = service.networks_service().add(types.Network(id=names.net('iscsi-a')))
        assert isinstance(action, types.Action) and action.status == 'complete'
        action = service.storage_server_connections_service().add(types.StorageConnection(id=conn_b))
        assert isinstance(action, types.Action) and action.status == 'complete'
        assert [n.name for n in service.networks_service().list()] == ['iscsi-a']
        listed = service.storage_server_connections_service().list()
        assert [(c.id, c.address, c.port, c.target, c.password) for c in listed] == [
            (conn_b, '198.18.2.100', 3260, 'iqn.2026-01.test.sim:storage', None)]
        assert service.networks_service().network_service(names.net('iscsi-a')).get().name == 'iscsi-a'
        with pytest.raises(sdk.NotFoundError):
            service.networks_service().network_service(names.net('iscsi-b')).get()
        # Re-adding a member hits the map table's primary key.
        with pytest.raises(sdk.Error) as excinfo:
            service.networks_service().add(types.Network(id=names.net('iscsi-a')))
        assert _fault(excinfo) == (400, 'Operation Failed', '[Internal Engine Error]')
        # Edit texts say "edit".
        with pytest.raises(sdk.Error) as excinfo:
            service.storage_server_connections_service().add(types.StorageConnection(id=names.domains['nfs-export'][0]))
        assert excinfo.value.code == 409
        assert excinfo.value.fault.detail.startswith('[Cannot edit iSCSI Bond. The following storage connections')
        with pytest.raises(sdk.Error) as excinfo:
            service.networks_service().add(types.Network(id=names.net('ovirtmgmt')))
        assert excinfo.value.fault.detail == '[Cannot edit iSCSI Bond. Required network cannot be a part of an iSCSI bond.]'
        assert service.storage_server_connections_service().storage_connection_service(conn_b).remove() is None
        assert service.networks_service().network_service(names.net('iscsi-a')).remove() is None
        assert service.get().networks == [] and service.get().storage_connections == []
        with pytest.raises(sdk.NotFoundError):
            service.networks_service().network_service(names.net('iscsi-a')).remove()
        assert conn_a
    finally:
        service.remove()


def test_members_of_unknown_bond(names):
    service = names.bonds_service().iscsi_bond_service('00000000-0000-0000-0000-0000000000b0')
    assert service.networks_service().list() == []
    with pytest.raises(sdk.NotFoundError) as excinfo:
        service.networks_service().add(types.Network(id=names.net('iscsi-a')))
    assert excinfo.value.fault.detail == 'Entity not found: 00000000-0000-0000-0000-0000000000b0'


def test_update_changes_name_and_description_and_appends_members(names):
    bonds = names.bonds_service()
    bond = bonds.add(types.IscsiBond(name='upd', networks=[types.Network(id=names.net('iscsi-a'))]))
    service = bonds.iscsi_bond_service(bond.id)
    try:
        updated = service.update(types.IscsiBond(name='upd2', description='new'))
        assert (updated.name, updated.description, [n.id for n in updated.networks]) == (
            'upd2', 'new', [names.net('iscsi-a')])
        updated = service.update(types.IscsiBond(networks=[types.Network(id=names.net('iscsi-b'))]))
        assert [n.id for n in updated.networks] == [names.net('iscsi-a'), names.net('iscsi-b')]
        # A PUT that re-sends the members appends them again: duplicate key.
        with pytest.raises(sdk.Error) as excinfo:
            service.update(types.IscsiBond(name='upd3', networks=[types.Network(id=names.net('iscsi-a'))]))
        assert _fault(excinfo) == (400, 'Operation Failed', '[Internal Engine Error]')
        assert service.get().name == 'upd2'
        other = bonds.add(types.IscsiBond(name='taken'))
        with pytest.raises(sdk.Error) as excinfo:
            service.update(types.IscsiBond(name='taken'))
        assert excinfo.value.fault.detail == ('[Cannot edit iSCSI Bond. iSCSI bond with the same name already exists in '
                                              'the Data Center.]')
        bonds.iscsi_bond_service(other.id).remove()
    finally:
        service.remove()


def test_bond_path_ignores_the_data_center_in_it(names):
    bonds = names.bonds_service()
    bond = bonds.add(types.IscsiBond(name='anydc'))
    try:
        elsewhere = names.bonds_service('Other').iscsi_bond_service(bond.id).get()
        assert elsewhere.id == bond.id and elsewhere.data_center.id == names.dcs['Default']
        assert bond.id not in [b.id for b in names.bonds_service('Other').list()]
    finally:
        bonds.iscsi_bond_service(bond.id).remove()


def test_list_honours_max(names):
    bonds = names.bonds_service()
    made = [bonds.add(types.IscsiBond(name='max%d' % index)) for index in range(3)]
    try:
        assert len(bonds.list(max=2)) == 2
        assert len(bonds.list()) >= 3
    finally:
        for bond in made:
            bonds.iscsi_bond_service(bond.id).remove()


def test_bond_queries_are_admin_only(names):
    with pytest.raises(sdk.Error) as excinfo:
        names.bonds_service().list(query={'filter': 'true'})
    assert _fault(excinfo) == (400, 'Operation Failed', 'Query execution failed due to insufficient permissions.')
    with pytest.raises(sdk.Error):
        names.bonds_service().list(headers={'Filter': 'true'})
