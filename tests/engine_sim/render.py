# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Store records to ovirtsdk4.types objects, with the hrefs the engine gives them.

A record renders in a context (its parent collection): a network under a
data center or a cluster has another href, and under a cluster also
`required`. References to other entities carry id and href only, as the
engine's LinkHelper leaves inline resources.
"""

import datetime
import re

from ovirtsdk4 import List, types

API = '/ovirt-engine/api'
_DEVICE_NAME = re.compile(r'^[A-Za-z0-9_-]{1,15}$')

PERMIT_NAMES = {
    403: 'configure_cluster_network', 404: 'assign_cluster_network', 600: 'create_storage_domain',
    602: 'delete_storage_domain', 603: 'manipulate_storage_domain', 700: 'create_storage_pool',
    701: 'delete_storage_pool', 702: 'edit_storage_pool_configuration', 703: 'configure_storage_pool_network',
    704: 'create_storage_pool_network', 705: 'delete_storage_pool_network', 1300: 'login',
    103: 'manipulate_host',
}


def as_list(items):
    """An SDK List (its constructor takes an href, not items)."""
    result = List()
    result.extend(items)
    return result


def make(cls, **kwargs):
    """types constructors take no href; the readers and writers use the attribute."""
    link = kwargs.pop('href', None)
    obj = cls(**kwargs)
    if link is not None:
        obj.href = link
    return obj


def href(*parts):
    return '/'.join((API,) + tuple(str(part) for part in parts))


def ref(cls, path, record_id):
    return make(cls, id=record_id, href=href(path, record_id)) if record_id else None


def _version(text):
    major, _sep, minor = str(text).partition('.')
    return types.Version(major=int(major), minor=int(minor or 0))


def data_center(store, record, _context=None):
    return make(
        types.DataCenter,
        id=record['id'], href=href('datacenters', record['id']), name=record['name'],
        description=record['description'], local=record['local'],
        status=types.DataCenterStatus(record['status']), version=_version(record['version']),
        storage_format=types.StorageFormat.V5, quota_mode=types.QuotaModeType.DISABLED,
        supported_versions=as_list([_version(record['version'])]),
    )


def cluster(store, record, _context=None):
    return make(
        types.Cluster,
        id=record['id'], href=href('clusters', record['id']), name=record['name'],
        description=record['description'], data_center=ref(types.DataCenter, 'datacenters', record['data_center']),
    )


def network(store, record, context=None):
    """context: None (top level), ('datacenter', id) or ('cluster', id)."""
    obj = make(
        types.Network,
        id=record['id'], name=record['name'], description=record['description'],
        data_center=ref(types.DataCenter, 'datacenters', record['data_center']),
        mtu=record['mtu'], stp=False,
        usages=[types.NetworkUsage(usage) for usage in record['usages']],
        vlan=make(types.Vlan, id=record['vlan']) if record['vlan'] is not None else None,
    )
    # The bridge VDSM makes: the name when it is a valid NIC name, else "on" + 13 hex
    # digits of the id (engine NetworkUtils.setNetworkVdsmName, HOST_NIC_NAME_PATTERN).
    obj.vdsm_name = record['name'] if _DEVICE_NAME.match(record['name']) else 'on' + record['id'].replace('-', '')[:13]
    if context and context[0] == 'cluster':
        cluster_id = context[1]
        obj.href = href('clusters', cluster_id, 'networks', record['id'])
        obj.cluster = ref(types.Cluster, 'clusters', cluster_id)
        attachment = store.get('cluster_networks', '%s/%s' % (cluster_id, record['id']))
        obj.required = bool(attachment and attachment['required'])
        obj.display = False
        obj.status = types.NetworkStatus.OPERATIONAL
    elif context and context[0] == 'datacenter':
        obj.href = href('datacenters', context[1], 'networks', record['id'])
    else:
        obj.href = href('networks', record['id'])
    return obj


def host(store, record, _context=None):
    return make(
        types.Host,
        id=record['id'], href=href('hosts', record['id']), name=record['name'], address=record['address'],
        status=types.HostStatus(record['status']), type=types.HostType.RHEL, port=54321,
        cluster=ref(types.Cluster, 'clusters', record['cluster']),
    )


def _ip(ip):
    if not ip:
        return None
    return types.Ip(address=ip['address'], netmask=ip['netmask'], gateway=ip['gateway'], version=types.IpVersion.V4)


def host_nic(store, record, _context=None):
    obj = make(
        types.HostNic,
        id=record['id'], href=href('hosts', record['host'], 'nics', record['id']), name=record['name'],
        mac=types.Mac(address=record['mac']), ip=_ip(record['ip']), bridged=record['bridged'],
        mtu=record['mtu'], status=types.NicStatus(record['status']),
        boot_protocol=types.BootProtocol.STATIC if record['ip'] else types.BootProtocol.NONE,
        host=ref(types.Host, 'hosts', record['host']),
        network=ref(types.Network, 'networks', record['network']),
    )
    if record['vlan'] is not None:
        obj.vlan = make(types.Vlan, id=record['vlan'])
        obj.base_interface = record['base_interface']
    if record['bonding_slaves']:
        obj.bonding = types.Bonding(slaves=as_list([
            make(types.HostNic, id=slave['id'], href=href('hosts', record['host'], 'nics', slave['id']))
            for slave in store.where('host_nics', host=record['host'])
            if slave['name'] in record['bonding_slaves']
        ]))
    return obj


def network_attachment(store, record, _context=None):
    host_id = record['host']
    return make(
        types.NetworkAttachment,
        id=record['id'], href=href('hosts', host_id, 'networkattachments', record['id']),
        host=ref(types.Host, 'hosts', host_id),
        network=ref(types.Network, 'networks', record['network']),
        host_nic=make(types.HostNic, id=record['host_nic'], href=href('hosts', host_id, 'nics', record['host_nic'])),
        in_sync=record['in_sync'],
        ip_address_assignments=as_list([
            types.IpAddressAssignment(
                ip=_ip(assignment['ip']),
                assignment_method=types.BootProtocol(assignment['assignment_method']),
            )
            for assignment in record['ip_address_assignments']
        ]),
    )


def storage_connection(store, record, _context=None):
    """Password and portal are never returned (StorageDomainMapper)."""
    obj = make(
        types.StorageConnection,
        id=record['id'], href=href('storageconnections', record['id']),
        type=types.StorageType(record['type']), address=record['address'],
    )
    if record['type'] == 'iscsi':
        obj.port = record['port']
        obj.target = record['target']
        obj.username = record['username']
    else:
        obj.path = record['path']
        if record['nfs_version']:
            obj.nfs_version = types.NfsVersion(record['nfs_version'])
    return obj


def storage_domain(store, record, context=None):
    """context: None (top level) or ('datacenter', id), which adds the status."""
    obj = make(
        types.StorageDomain,
        id=record['id'], name=record['name'], type=types.StorageDomainType(record['type']),
        master=record['master'], storage_format=types.StorageFormat.V5,
        storage=types.HostStorage(type=types.StorageType(record['storage_type'])),
    )
    connections = [store.get('storage_connections', cid) for cid in record['connections']]
    if record['storage_type'] == 'iscsi':
        obj.storage.volume_group = make(types.VolumeGroup, id='vg-%s' % record['id'][:8], logical_units=as_list([
            make(
                types.LogicalUnit,
                id='36001405%s' % conn['id'].replace('-', '')[:24], address=conn['address'],
                port=conn['port'], target=conn['target'], storage_domain_id=record['id'],
            )
            for conn in connections if conn
        ]))
    elif connections and connections[0]:
        obj.storage.address = connections[0]['address']
        obj.storage.path = connections[0]['path']
    if context and context[0] == 'datacenter':
        obj.href = href('datacenters', context[1], 'storagedomains', record['id'])
        obj.data_center = ref(types.DataCenter, 'datacenters', context[1])
        obj.status = types.StorageDomainStatus(record['status'])
    else:
        obj.href = href('storagedomains', record['id'])
        if record['data_center']:
            obj.data_centers = as_list([ref(types.DataCenter, 'datacenters', record['data_center'])])
    return obj


def iscsi_bond(store, record, _context=None):
    return make(
        types.IscsiBond,
        id=record['id'], href=href('datacenters', record['data_center'], 'iscsibonds', record['id']),
        name=record['name'], description=record['description'],
        data_center=ref(types.DataCenter, 'datacenters', record['data_center']),
        networks=as_list([ref(types.Network, 'networks', nid) for nid in record['networks']]),
        storage_connections=as_list([
            ref(types.StorageConnection, 'storageconnections', cid) for cid in record['connections']
        ]),
    )


def user(store, record, _context=None):
    return make(
        types.User,
        id=record['id'], href=href('users', record['id']), name=record['name'],
        user_name=record['user_name'], principal=record['name'], namespace='*',
        domain=types.Domain(name='%s-authz' % record['domain']),
    )


def role(store, record, _context=None):
    return make(
        types.Role,
        id=record['id'], href=href('roles', record['id']), name=record['name'],
        administrative=record['administrative'], mutable=False,
    )


def permit(store, record, context=None):
    role_id = context[1]
    return make(
        types.Permit,
        id=str(record['id']), href=href('roles', role_id, 'permits', record['id']), name=record['name'],
        administrative=record['id'] != 1300, role=ref(types.Role, 'roles', role_id),
    )


def permission(store, record, context=None):
    if context and context[0] == 'datacenter':
        path = href('datacenters', context[1], 'permissions', record['id'])
    else:
        path = href('users', record['user'], 'permissions', record['id'])
    return make(
        types.Permission,
        id=record['id'], href=path,
        role=ref(types.Role, 'roles', record['role']), user=ref(types.User, 'users', record['user']),
        data_center=ref(types.DataCenter, 'datacenters', record['data_center']),
    )


def _named(cls, path, record_id, name):
    """EventMapper sets id and name on the event's user, host, cluster and data center;
    LinkHelper.addLinks gives each an href."""
    if not record_id and not name:
        return None
    obj = ref(cls, path, record_id) if record_id else cls()
    obj.name = name
    return obj


def event(store, record, _context=None):
    """An audit log entry as EventMapper maps it (id and index are the entry's number)."""
    return make(
        types.Event,
        id=str(record['id']), href=href('events', record['id']), index=record['id'], code=record['code'],
        severity=types.LogSeverity(record['severity']), time=datetime.datetime.fromisoformat(record['time']),
        description=record['message'], correlation_id=record['correlation_id'], origin=record['origin'],
        custom_id=record['custom_id'], flood_rate=record['flood_rate'],
        user=_named(types.User, 'users', record['user'], record['user_name']),
        host=_named(types.Host, 'hosts', record['host'], record['host_name']),
        cluster=_named(types.Cluster, 'clusters', record['cluster'], record['cluster_name']),
        data_center=_named(types.DataCenter, 'datacenters', record['data_center'], record['data_center_name']),
    )


BUILDERS = {
    'data_centers': data_center, 'clusters': cluster, 'networks': network, 'hosts': host,
    'host_nics': host_nic, 'network_attachments': network_attachment, 'storage_connections': storage_connection,
    'storage_domains': storage_domain, 'iscsi_bonds': iscsi_bond, 'users': user, 'roles': role,
    'permits': permit, 'permissions': permission, 'events': event,
}


def build(store, kind, record, context=None):
    return BUILDERS[kind](store, record, context)
