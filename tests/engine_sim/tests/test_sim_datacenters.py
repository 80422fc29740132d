# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Data centers added and removed through the real SDK (AddEmptyStoragePoolCommand,
RemoveStoragePoolCommand and the iscsi_bonds FK's ON DELETE CASCADE; README.md)."""

import ovirtsdk4 as sdk
from ovirtsdk4 import types
import pytest

from simhelp import connect


def test_an_added_dc_is_uninitialized_with_the_management_network(fresh_sim):
    connection = connect(fresh_sim)
    try:
        dcs = connection.system_service().data_centers_service()
        added = dcs.add(types.DataCenter(name='Added', description='new', local=False))
        assert (added.name, added.description, added.local) == ('Added', 'new', False)
        assert added.status == types.DataCenterStatus.UNINITIALIZED
        assert (added.version.major, added.version.minor) == (4, 7)
        assert [dc.id for dc in dcs.list(search='name=Added')] == [added.id]
        networks = dcs.data_center_service(added.id).networks_service().list()
        assert [n.name for n in networks] == ['ovirtmgmt']
    finally:
        connection.close()


@pytest.mark.parametrize('dc, code, detail', [
    (types.DataCenter(name='Default', local=False), 409, '[Cannot create Data Center. The Data Center name is already in use.]'),
    (types.DataCenter(name='x' * 41, local=False), 400, '[Cannot create Data Center. The given name is too long.]'),
    (types.DataCenter(local=False), 400, 'DataCenter [name] required for add'),
    (types.DataCenter(name='NoLocal'), 400, 'DataCenter [local] required for add'),
])
def test_a_refused_add_changes_nothing(sim, admin, dc, code, detail):
    before = sim.state()
    with pytest.raises(sdk.Error) as excinfo:
        admin.system_service().data_centers_service().add(dc)
    assert (excinfo.value.code, excinfo.value.fault.detail) == (code, detail)
    assert sim.state() == before


def test_only_a_system_wide_permission_adds_a_dc(sim):
    before = sim.state()
    dc_admin = connect(sim, 'dcadmin@internal')  # DataCenterAdmin on Default only
    try:
        with pytest.raises(sdk.AuthError):
            dc_admin.system_service().data_centers_service().add(types.DataCenter(name='Mine', local=False))
    finally:
        dc_admin.close()
    assert sim.state() == before


def test_removing_a_new_dc_takes_its_bonds_and_networks(fresh_sim):
    connection = connect(fresh_sim)
    try:
        dcs = connection.system_service().data_centers_service()
        added = dcs.add(types.DataCenter(name='Short-lived', local=False))
        service = dcs.data_center_service(added.id)
        network = service.networks_service().add(types.Network(name='iscsi-x'))
        service.iscsi_bonds_service().add(types.IscsiBond(name='goes', networks=[types.Network(id=network.id)]))
        assert [b['name'] for b in fresh_sim.state()['iscsi_bonds'] if b['data_center'] == added.id] == ['goes']
        assert service.remove() is None
        state = fresh_sim.state()
        assert not [b for b in state['iscsi_bonds'] if b['data_center'] == added.id]
        assert not [n for n in state['networks'] if n['data_center'] == added.id]
        assert added.id not in [dc['id'] for dc in state['data_centers']]
        with pytest.raises(sdk.NotFoundError):
            service.get()
    finally:
        connection.close()
