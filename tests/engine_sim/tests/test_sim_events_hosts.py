# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The events collection and the host actions deactivate/activate, through the real SDK."""

import time

import ovirtsdk4 as sdk
from ovirtsdk4 import types
import pytest

from simhelp import Names, connect

TRANSITION = 0.3


@pytest.fixture(name='quick_sim')
def fixture_quick_sim(engine_sim):
    """A simulator of its own whose monitoring moves hosts on after TRANSITION seconds."""
    with engine_sim.Simulator(host_transition=TRANSITION) as running:
        yield running


@pytest.fixture(name='quick_admin')
def fixture_quick_admin(quick_sim):
    connection = connect(quick_sim)
    yield connection
    connection.close()


def host_service(connection, name):
    hosts = connection.system_service().hosts_service()
    return hosts.host_service(hosts.list(search='name=%s' % name)[0].id)


def wait_status(service, status, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.get().status == status:
            return
        time.sleep(0.05)
    raise AssertionError('host did not become %s: %s' % (status, service.get().status))


def last_id(connection):
    newest = connection.system_service().events_service().list(max=1)
    return int(newest[0].id) if newest else 0


def events_after(connection, start, **options):
    return connection.system_service().events_service().list(from_=start, **options)


def test_deactivate_then_activate_moves_the_host_and_writes_the_engines_events(quick_admin):
    service = host_service(quick_admin, 'host2')
    start = last_id(quick_admin)
    service.deactivate(headers={'Correlation-Id': 'eda-proof-1'})
    # MaintenanceNumberOfVdss: preparing first, monitoring finishes the move.
    assert service.get().status == types.HostStatus.PREPARING_FOR_MAINTENANCE
    wait_status(service, types.HostStatus.MAINTENANCE)
    (maintenance,) = events_after(quick_admin, start)
    assert maintenance.code == 620
    assert maintenance.description == 'Host host2 was switched to Maintenance mode by admin@internal-authz.'
    assert maintenance.severity == types.LogSeverity.NORMAL
    assert maintenance.correlation_id == 'eda-proof-1'
    assert (maintenance.origin, maintenance.custom_id) == ('oVirt', -1)
    assert maintenance.host.name == 'host2' and maintenance.host.id == service.get().id
    assert maintenance.data_center.name == 'Default' and maintenance.cluster.name == 'Default'
    assert maintenance.user.name == 'admin@internal-authz'
    assert int(maintenance.id) == maintenance.index > start

    start = int(maintenance.id)
    service.activate()
    assert service.get().status == types.HostStatus.UNASSIGNED
    wait_status(service, types.HostStatus.UP)
    activated, detected = reversed(events_after(quick_admin, start))
    assert (activated.code, activated.description) == (16, 'Activation of host host2 initiated by admin@internal-authz.')
    assert (detected.code, detected.description) == (13, 'Status of host host2 was set to Up.')
    assert detected.host.name == 'host2' and detected.data_center.name == 'Default'
    assert int(detected.id) > int(activated.id)


def test_a_reason_is_in_the_maintenance_event(quick_admin):
    service = host_service(quick_admin, 'host1')
    start = last_id(quick_admin)
    service.deactivate(reason='kernel update')
    (event,) = events_after(quick_admin, start)
    assert (event.code, event.description) == (
        600, 'Host host1 was switched to Maintenance mode by admin@internal-authz (Reason: kernel update).')
    wait_status(service, types.HostStatus.MAINTENANCE)
    service.activate()
    wait_status(service, types.HostStatus.UP)


def test_actions_a_status_does_not_allow_fail_as_the_engine_does(quick_sim, quick_admin):
    service = host_service(quick_admin, 'host1')
    with pytest.raises(sdk.Error) as excinfo:
        service.activate()
    assert (excinfo.value.code, excinfo.value.fault.detail) == (409, '[Cannot activate Host. Host in Up status.]')
    service.deactivate()
    wait_status(service, types.HostStatus.MAINTENANCE)
    start = last_id(quick_admin)
    with pytest.raises(sdk.Error) as excinfo:
        service.deactivate()
    assert (excinfo.value.code, excinfo.value.fault.detail) == (
        409, '[Cannot switch Host to Maintenance mode. Host is already in Maintenance mode.]')
    # addMaintenanceFailedReason logs the refusal.
    (refused,) = events_after(quick_admin, start)
    assert (refused.code, refused.severity) == (14001, types.LogSeverity.ERROR)
    assert refused.description == 'Cannot switch Host to Maintenance mode. Host is already in Maintenance mode.'
    before = quick_sim.state()
    outsider = connect(quick_sim, 'outsider@internal')
    try:
        with pytest.raises(sdk.AuthError) as excinfo:
            host_service(outsider, 'host1').activate()
        assert (excinfo.value.code, excinfo.value.fault.detail) == (
            403, '[User is not authorized to perform this action.]')
    finally:
        outsider.close()
    assert quick_sim.state() == before


def test_non_responsive_hosts_go_to_maintenance_at_once_and_cannot_be_activated(engine_sim):
    seed = engine_sim.make_seed(hosts=1, host_status='non_responsive')
    with engine_sim.Simulator(seed=seed, host_transition=TRANSITION) as sim:
        connection = connect(sim)
        try:
            service = host_service(connection, 'host0000')
            with pytest.raises(sdk.Error) as excinfo:
                service.activate()
            assert excinfo.value.fault.detail == '[Cannot activate Host. Host is in non responsive state.]'
            service.deactivate()
            assert service.get().status == types.HostStatus.MAINTENANCE
        finally:
            connection.close()


def test_events_are_newest_first_and_from_max_search_select_them(quick_admin):
    events = quick_admin.system_service().events_service()
    bonds = Names(quick_admin).bonds_service()
    start = last_id(quick_admin)
    for name in ('ev-a', 'ev-b', 'ev-c'):
        bonds.add(types.IscsiBond(name=name))
    listed = events.list(from_=start)
    assert [event.description for event in listed] == [
        "iSCSI bond 'ev-%s' was successfully created in Data Center 'Default'." % letter for letter in 'cba']
    ids = [int(event.id) for event in listed]
    assert ids == sorted(ids, reverse=True) and min(ids) > start
    # `from` keeps the ids above it; with `max` the NEWEST of those come back, not the oldest.
    assert [int(event.id) for event in events.list(from_=ids[2])] == ids[:2]
    assert [int(event.id) for event in events.list(from_=start, max=1)] == ids[:1]
    assert [int(event.id) for event in events.list(max=2)] == ids[:2]
    # Search fields of AuditLogConditionFieldAutoCompleter.
    assert len(events.list(from_=start, search='type=10400')) == 3
    assert not events.list(from_=start, search='type=10402')
    assert len(events.list(from_=start, search='event_datacenter=Default and message=*ev-b*')) == 1
    assert len(events.list(from_=start, search='event_datacenter=default', case_sensitive=False)) == 3
    with pytest.raises(sdk.Error) as excinfo:
        events.list(search='nosuchfield=1')
    assert excinfo.value.code == 400
    # One event by id; an unknown one is 404.
    assert events.event_service(str(ids[0])).get().code == 10400
    with pytest.raises(sdk.NotFoundError):
        events.event_service('999999').get()
    for bond in bonds.list():
        if bond.name.startswith('ev-'):
            bonds.iscsi_bond_service(bond.id).remove()


def test_a_from_that_is_not_an_integer_is_ignored(sim, admin):
    raw = admin.system_service().events_service().list(query={'from': 'abc'})
    assert len(raw) == len(admin.system_service().events_service().list())


def test_bond_writes_and_cluster_attachments_are_logged_and_refusals_are_not(sim, admin):
    names = Names(admin)
    bonds = names.bonds_service()
    start = last_id(admin)
    with pytest.raises(sdk.Error):
        bonds.add(types.IscsiBond(name='bad name!'))
    bond = bonds.add(types.IscsiBond(name='logged', networks=[types.Network(id=names.net('iscsi-a'))]))
    service = bonds.iscsi_bond_service(bond.id)
    service.networks_service().add(types.Network(id=names.net('iscsi-b')))
    service.networks_service().network_service(names.net('iscsi-a')).remove()
    connection_id = names.domains['iscsi-data'][0]
    service.storage_server_connections_service().add(types.StorageConnection(id=connection_id))
    service.storage_server_connections_service().storage_connection_service(connection_id).remove()
    service.update(types.IscsiBond(name='logged-2'))
    service.remove()
    logged = [(event.code, event.description) for event in reversed(events_after(admin, start))]
    assert logged == [
        (10400, "iSCSI bond 'logged' was successfully created in Data Center 'Default'."),
        (10402, "iSCSI bond 'logged' was successfully updated."),
        (2035, 'The following Networks has been removed from the iSCSI bond logged: iscsi-a. for those changes '
               'to take affect, the hosts must be moved to maintenance and activated again.'),
        (10402, "iSCSI bond 'logged' was successfully updated."),
        (10402, "iSCSI bond 'logged' was successfully updated."),
        (10402, "iSCSI bond 'logged' was successfully updated."),
        (10402, "iSCSI bond 'logged-2' was successfully updated."),
        (10404, "iSCSI bond 'logged-2' was removed from Data Center 'Default'"),
    ]
    assert all(event.data_center.name == 'Default' and event.host is None for event in events_after(admin, start))
    start = last_id(admin)
    cluster = admin.system_service().clusters_service().list(search='name=Default')[0]
    networks = admin.system_service().clusters_service().cluster_service(cluster.id).networks_service()
    other = admin.system_service().networks_service().add(
        types.Network(name='late-net', data_center=types.DataCenter(id=names.dcs['Default'])))
    networks.add(types.Network(id=other.id))
    networks.network_service(other.id).remove()
    admin.system_service().networks_service().network_service(other.id).remove()
    logged = [(event.code, event.description, event.cluster.name) for event in reversed(events_after(admin, start))]
    assert logged == [(946, 'Network late-net attached to Cluster Default', 'Default'),
                      (948, 'Network late-net detached from Cluster Default', 'Default')]


def test_a_login_is_logged(sim):
    connection = connect(sim, 'dcadmin@internal')
    try:
        newest = connection.system_service().events_service().list(max=1)[0]
    finally:
        connection.close()
    assert newest.code == 30 and newest.user.name == 'dcadmin@internal-authz'
    assert newest.description.startswith("User dcadmin@internal-authz connecting from '127.0.0.1' using session '")


def test_a_persisting_simulator_restarts_with_its_state_port_and_ca(engine_sim):
    with engine_sim.Simulator(persist=True, host_transition=1.5) as sim:
        url = sim.url
        connection = connect(sim)
        try:
            service = host_service(connection, 'host2')
            service.deactivate()
            before = last_id(connection)
            sim.halt()
            # The engine is down: the SDK cannot connect (a plain sdk.Error, not its ConnectionError).
            with pytest.raises(sdk.Error) as excinfo:
                connection.system_service().events_service().list(max=1)
            assert 'Failed to connect' in str(excinfo.value)
            sim.start()
            assert sim.url == url
            # Same connection (the CA is the same; the old token is gone, the SDK logs in again).
            assert last_id(connection) > before
            # The step pending at the stop is finished after the start.
            wait_status(service, types.HostStatus.MAINTENANCE)
            assert [event['type'] for event in sim.events(before)] == ['USER_VDC_LOGIN']
            service.activate()
            wait_status(service, types.HostStatus.UP)
        finally:
            connection.close()
