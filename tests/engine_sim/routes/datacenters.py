# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Data centers, clusters and logical networks (with their cluster attachments)."""

from ovirtsdk4 import types

from engine_sim import audit, xml_io
from engine_sim.errors import ApiError, engine_failure, not_found
from engine_sim.routes.common import action_complete, lookup, render_list, render_one, require, validate_parameters
from engine_sim.store import new_id

CREATE_STORAGE_POOL = 700
DELETE_STORAGE_POOL = 701
CREATE_STORAGE_POOL_NETWORK = 704
DELETE_STORAGE_POOL_NETWORK = 705
ASSIGN_CLUSTER_NETWORK = 404
# ConfigValues.StoragePoolNameSizeLimit's shipped value (packaging/dbscripts/upgrade/pre_upgrade/0000_config.sql).
DC_NAME_SIZE_LIMIT = 40


def list_dcs(request):
    pairs = [(dc, None) for dc in request.store.all('data_centers')]
    return render_list(request, 'data_centers', pairs, 'data_centers', searchable=True)


def get_dc(request, dc):
    return render_one(request, 'data_centers', lookup(request, 'data_centers', dc))


def add_dc(request):
    """BackendDataCentersResource.add, then AddEmptyStoragePoolCommand: a new data center has no
    storage yet, so it is `uninitialized`, and it gets the management network. The permission is
    CREATE_STORAGE_POOL on the system object, so a data center's own admin cannot add one."""
    incoming = xml_io.read_body(request.body, types.DataCenter)
    validate_parameters(incoming, 'DataCenter', 'name')
    validate_parameters(incoming, 'DataCenter', 'local')
    require(request, CREATE_STORAGE_POOL, None)
    store = request.store
    if store.where('data_centers', name=incoming.name):  # the DAO's getByName(name, true): case-sensitive
        raise engine_failure([(409, 'Cannot create Data Center. The Data Center name is already in use.')])
    if len(incoming.name) > DC_NAME_SIZE_LIMIT:
        raise engine_failure([(400, 'Cannot create Data Center. The given name is too long.')])
    version = incoming.version
    record = store.insert('data_centers', {
        'id': new_id(), 'name': incoming.name, 'description': incoming.description, 'local': bool(incoming.local),
        'version': '%d.%d' % (version.major, version.minor or 0) if version and version.major else '4.7',
        'status': 'uninitialized',
    })
    store.insert('networks', {
        'id': new_id(), 'name': 'ovirtmgmt', 'data_center': record['id'], 'description': 'Default Management Network',
        'vlan': None, 'mtu': 0, 'usages': ['vm'],
    })
    response = render_one(request, 'data_centers', record)
    response.status = 201
    response.headers['Location'] = 'https://%s/ovirt-engine/api/datacenters/%s' % (
        request.headers.get('Host', '127.0.0.1'), record['id'])
    return response


def remove_dc(request, dc):
    """RemoveStoragePoolCommand removes the networks; the DB cascades the rest: iscsi_bonds'
    FK to storage_pool is ON DELETE CASCADE; clusters and domains stay, detached."""
    record = lookup(request, 'data_centers', dc)
    require(request, DELETE_STORAGE_POOL, dc)
    store = request.store
    _validate_dc_removal(request, record)
    for bond in store.where('iscsi_bonds', data_center=dc):
        store.delete('iscsi_bonds', bond['id'])
    for network in store.where('networks', data_center=dc):
        _drop_network(store, network['id'])
    for cluster in store.where('clusters', data_center=dc):
        cluster['data_center'] = None
    for domain in store.where('storage_domains', data_center=dc):
        domain['data_center'] = None
        domain['status'] = 'unattached'
    for permission in store.where('permissions', data_center=dc):
        store.delete('permissions', permission['id'])
    store.delete('data_centers', record['id'])
    return action_complete()


def _validate_dc_removal(request, record):
    """RemoveStoragePoolCommand.validate(), the parts the store can answer (the domains'
    own maintenance state and VMs/disks are not simulated)."""
    if record['status'] == 'up':
        raise engine_failure([(409, 'Cannot remove an active Data Center.')])
    domains = request.store.domains_of_dc(record['id'])
    if (request.param('force') or '').lower() != 'true':
        if len(domains) > 1:
            raise engine_failure([(409, 'Cannot remove Data Center when more than one Storage Domain is attached.')])
    elif any(host['status'] != 'maintenance' for host in request.store.hosts_of_dc(record['id'])):
        raise engine_failure([(409, 'Cannot remove Data Center while there are Hosts that are not in Maintenance '
                                    'mode.')])


def list_dc_clusters(request, dc):
    pairs = [(cluster, None) for cluster in request.store.where('clusters', data_center=dc)]
    return render_list(request, 'clusters', pairs, 'clusters')


def list_dc_permissions(request, dc):
    lookup(request, 'data_centers', dc)
    pairs = [(p, ('datacenter', dc)) for p in request.store.where('permissions', data_center=dc)]
    return render_list(request, 'permissions', pairs, 'permissions')


def list_clusters(request):
    pairs = [(cluster, None) for cluster in request.store.all('clusters')]
    return render_list(request, 'clusters', pairs, 'clusters', searchable=True)


def get_cluster(request, cluster):
    return render_one(request, 'clusters', lookup(request, 'clusters', cluster))


# Networks.

def _drop_network(store, network_id):
    """Network rows cascade to cluster attachments; host NICs keep no network."""
    for attachment in store.where('cluster_networks', network=network_id):
        store.delete('cluster_networks', attachment['id'])
    for attachment in store.where('network_attachments', network=network_id):
        store.delete('network_attachments', attachment['id'])
    for nic in store.where('host_nics', network=network_id):
        nic['network'] = None
    store.delete('networks', network_id)


def list_networks(request):
    pairs = [(network, None) for network in request.store.all('networks')]
    return render_list(request, 'networks', pairs, 'networks', searchable=True)


def list_dc_networks(request, dc):
    pairs = [(network, ('datacenter', dc)) for network in request.store.where('networks', data_center=dc)]
    return render_list(request, 'networks', pairs, 'networks')


def get_network(request, network):
    return render_one(request, 'networks', lookup(request, 'networks', network))


def get_dc_network(request, dc, network):
    record = lookup(request, 'networks', network)
    if record['data_center'] != dc:
        raise not_found()
    return render_one(request, 'networks', record, ('datacenter', dc))


def _add_network(request, dc_id):
    incoming = xml_io.read_body(request.body, types.Network)
    validate_parameters(incoming, 'Network', 'name')
    if dc_id is None:
        if incoming.data_center is None or not (incoming.data_center.id or incoming.data_center.name):
            raise ApiError(400, raw_detail='Network [dataCenter.id|name] required for add',
                           reason='Incomplete parameters')
        dc_id = incoming.data_center.id or next(
            (dc['id'] for dc in request.store.all('data_centers') if dc['name'] == incoming.data_center.name), None)
    dc = request.store.get('data_centers', dc_id)
    if dc is None:
        raise not_found()
    require(request, CREATE_STORAGE_POOL_NETWORK, dc_id)
    if request.store.where('networks', data_center=dc_id, name=incoming.name):
        raise engine_failure([(409, "Cannot add Network. The name of the logical network '%s' is already used by an "
                                    "existing logical network in the same data-center.\n-Please choose a different name."
                               % incoming.name)])
    record = request.store.insert('networks', {
        'id': new_id(), 'name': incoming.name, 'data_center': dc_id, 'description': incoming.description,
        'vlan': incoming.vlan.id if incoming.vlan else None, 'mtu': incoming.mtu or 0,
        'usages': [usage.value for usage in incoming.usages] if incoming.usages is not None else ['vm'],
    })
    response = render_one(request, 'networks', record)
    response.status = 201
    return response


def add_network(request):
    return _add_network(request, None)


def add_dc_network(request, dc):
    return _add_network(request, dc)


def _remove_network(request, network_id):
    """RemoveNetworkCommand: a network still in an iSCSI bond is refused (NetworkValidator)."""
    record = lookup(request, 'networks', network_id)
    require(request, DELETE_STORAGE_POOL_NETWORK, record['data_center'])
    bonds = request.store.where('iscsi_bonds', data_center=record['data_center'])
    using = [bond['name'] for bond in bonds if network_id in bond['networks']]
    if using:
        printed = ['\t%s' % name for name in using[:5]] + (['\t...'] if len(using) > 5 else [])
        raise engine_failure([(400, "The Network ('%s') could not be removed since several iSCSI bonds (%d) are using "
                                    "this network:\n %s.\nPlease remove the network first from those iSCSI bonds, "
                                    "and try again." % (record['name'], len(using), ',\n'.join(printed)))])
    _drop_network(request.store, network_id)
    return action_complete()


def remove_network(request, network):
    return _remove_network(request, network)


def remove_dc_network(request, dc, network):
    record = lookup(request, 'networks', network)
    if record['data_center'] != dc:
        raise not_found()
    return _remove_network(request, network)


# Cluster networks ("required" lives here).

def list_cluster_networks(request, cluster):
    lookup(request, 'clusters', cluster)
    pairs = [(request.store.get('networks', attachment['network']), ('cluster', cluster))
             for attachment in request.store.where('cluster_networks', cluster=cluster)]
    return render_list(request, 'networks', pairs, 'networks')


def get_cluster_network(request, cluster, network):
    if request.store.get('cluster_networks', '%s/%s' % (cluster, network)) is None:
        raise not_found()
    return render_one(request, 'networks', lookup(request, 'networks', network), ('cluster', cluster))


def add_cluster_network(request, cluster):
    record = lookup(request, 'clusters', cluster)
    incoming = xml_io.read_body(request.body, types.Network)
    network = None
    if incoming.id:
        network = request.store.get('networks', incoming.id)
    elif incoming.name:
        found = request.store.where('networks', data_center=record['data_center'], name=incoming.name)
        network = found[0] if found else None
    if network is None or network['data_center'] != record['data_center']:
        raise engine_failure([(400, 'Cannot add Network. Network does not exist in the Data Center of the Cluster.')])
    require(request, ASSIGN_CLUSTER_NETWORK, record['data_center'])
    key = '%s/%s' % (cluster, network['id'])
    if request.store.get('cluster_networks', key):
        raise engine_failure([(409, 'Cannot attach Network to Cluster. The Network is already attached to the Cluster.')])
    request.store.insert('cluster_networks', {
        'id': key, 'cluster': cluster, 'network': network['id'], 'required': bool(incoming.required),
    })
    audit.write(request.store, 'NETWORK_ATTACH_NETWORK_TO_CLUSTER', user=request.user, cluster=record,
                correlation=audit.correlation_id(request), NetworkName=network['name'])
    response = render_one(request, 'networks', network, ('cluster', cluster))
    response.status = 201
    return response


def remove_cluster_network(request, cluster, network):
    record = lookup(request, 'clusters', cluster)
    key = '%s/%s' % (cluster, network)
    if request.store.get('cluster_networks', key) is None:
        raise not_found()
    require(request, ASSIGN_CLUSTER_NETWORK, record['data_center'])
    request.store.delete('cluster_networks', key)
    audit.write(request.store, 'NETWORK_DETACH_NETWORK_TO_CLUSTER', user=request.user, cluster=record,
                correlation=audit.correlation_id(request), NetworkName=request.store.get('networks', network)['name'])
    return action_complete()


ROUTES = [
    ('GET', r'datacenters', list_dcs),
    ('POST', r'datacenters', add_dc),
    ('GET', r'datacenters/(?P<dc>[^/]+)', get_dc),
    ('DELETE', r'datacenters/(?P<dc>[^/]+)', remove_dc),
    ('GET', r'datacenters/(?P<dc>[^/]+)/clusters', list_dc_clusters),
    ('GET', r'datacenters/(?P<dc>[^/]+)/permissions', list_dc_permissions),
    ('GET', r'datacenters/(?P<dc>[^/]+)/networks', list_dc_networks),
    ('POST', r'datacenters/(?P<dc>[^/]+)/networks', add_dc_network),
    ('GET', r'datacenters/(?P<dc>[^/]+)/networks/(?P<network>[^/]+)', get_dc_network),
    ('DELETE', r'datacenters/(?P<dc>[^/]+)/networks/(?P<network>[^/]+)', remove_dc_network),
    ('GET', r'clusters', list_clusters),
    ('GET', r'clusters/(?P<cluster>[^/]+)', get_cluster),
    ('GET', r'clusters/(?P<cluster>[^/]+)/networks', list_cluster_networks),
    ('POST', r'clusters/(?P<cluster>[^/]+)/networks', add_cluster_network),
    ('GET', r'clusters/(?P<cluster>[^/]+)/networks/(?P<network>[^/]+)', get_cluster_network),
    ('DELETE', r'clusters/(?P<cluster>[^/]+)/networks/(?P<network>[^/]+)', remove_cluster_network),
    ('GET', r'networks', list_networks),
    ('POST', r'networks', add_network),
    ('GET', r'networks/(?P<network>[^/]+)', get_network),
    ('DELETE', r'networks/(?P<network>[^/]+)', remove_network),
]
