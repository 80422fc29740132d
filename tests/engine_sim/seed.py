# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Load a seed (the format README.md describes) into a fresh Store."""

import ipaddress
import json
import os

import yaml

from engine_sim.store import Store, stable_id

DEFAULT_SEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'seed', 'default.yml')

# Built-in roles as the engine ships them (packaging/dbscripts/data/00500, 00700).
# 103 is MANIPULATE_HOST (host deactivate and activate), held by these three.
ROLES = (
    ('00000000-0000-0000-0000-000000000001', 'SuperUser', True,
     [103, 403, 404, 600, 602, 603, 700, 701, 702, 703, 704, 705, 1300]),
    ('def00002-0000-0000-0000-def000000002', 'DataCenterAdmin', True,
     [103, 403, 404, 700, 701, 702, 703, 704, 705, 1300]),
    ('def00001-0000-0000-0000-def000000001', 'ClusterAdmin', True, [103, 403, 1300]),
    ('00000000-0000-0000-0001-000000000001', 'UserRole', False, [1300]),
)


class SeedError(Exception):
    """A seed that cannot be loaded; the message names the offending entry."""


def read_seed_file(path):
    try:
        with open(path, encoding='utf-8') as handle:
            if path.endswith('.json'):
                return json.load(handle)
            loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
            return yaml.load(handle, Loader=loader)  # nosec: a safe loader
    except (ValueError, yaml.YAMLError) as error:
        raise SeedError('%s: %s' % (path, error)) from error


def load(seed):
    """`seed` is a dict, or a path to a YAML or JSON file, or None for the default."""
    if seed is None:
        seed = DEFAULT_SEED
    if isinstance(seed, str):
        seed = read_seed_file(seed)
    if not isinstance(seed, dict):
        raise SeedError('a seed is a mapping with data_centers, storage_connections and users, not %s'
                        % type(seed).__name__)
    store = Store()
    for role_id, name, administrative, permits in ROLES:
        store.insert('roles', {'id': role_id, 'name': name, 'administrative': administrative, 'permits': permits})
    for dc_spec in seed.get('data_centers') or []:
        _load_data_center(store, dc_spec)
    for connection_spec in seed.get('storage_connections') or []:
        _connection(store, connection_spec, 'iscsi')
    for user_spec in seed.get('users') or []:
        _load_user(store, user_spec)
    return store


def _required(spec, key, where):
    if key not in spec or spec[key] in (None, ''):
        raise SeedError('%s: "%s" is required in %r' % (where, key, spec))
    return spec[key]


def _load_data_center(store, spec):
    name = _required(spec, 'name', 'data_centers')
    dc = store.insert('data_centers', {
        'id': spec.get('id') or stable_id('data_center', name),
        'name': name,
        'description': spec.get('description'),
        'version': spec.get('version', '4.7'),
        'status': spec.get('status', 'up'),
        'local': bool(spec.get('local', False)),
    })
    networks = {}
    for net_spec in spec.get('networks') or []:
        net_name = _required(net_spec, 'name', 'networks of %s' % name)
        networks[net_name] = store.insert('networks', {
            'id': net_spec.get('id') or stable_id('network', name, net_name),
            'name': net_name,
            'data_center': dc['id'],
            'description': net_spec.get('description'),
            'vlan': net_spec.get('vlan'),
            'mtu': net_spec.get('mtu', 0),
            'usages': list(net_spec.get('usages', ['vm'])),
        })['id']
    for cluster_spec in spec.get('clusters') or []:
        _load_cluster(store, dc, networks, cluster_spec)
    for domain_spec in spec.get('storage_domains') or []:
        _load_domain(store, dc, domain_spec)
    for bond_spec in spec.get('iscsi_bonds') or []:
        _load_bond(store, dc, networks, bond_spec)


def _network_id(networks, name, where):
    if name not in networks:
        raise SeedError('%s: unknown network "%s"' % (where, name))
    return networks[name]


def _load_cluster(store, dc, networks, spec):
    name = _required(spec, 'name', 'clusters of %s' % dc['name'])
    cluster = store.insert('clusters', {
        'id': spec.get('id') or stable_id('cluster', dc['name'], name),
        'name': name,
        'data_center': dc['id'],
        'description': spec.get('description'),
    })
    for attachment in spec.get('networks') or []:
        if isinstance(attachment, str):
            attachment = {'name': attachment}
        network_id = _network_id(networks, attachment.get('name'), 'cluster %s' % name)
        store.insert('cluster_networks', {
            'id': '%s/%s' % (cluster['id'], network_id),
            'cluster': cluster['id'],
            'network': network_id,
            'required': bool(attachment.get('required', False)),
        })
    for host_spec in spec.get('hosts') or []:
        _load_host(store, cluster, networks, host_spec)


def _ip(nic_spec):
    """`ip` is `address/prefix` or a dict address, netmask, gateway."""
    ip_spec = nic_spec.get('ip')
    if not ip_spec:
        return None
    if isinstance(ip_spec, dict):
        return {'address': ip_spec.get('address'), 'netmask': ip_spec.get('netmask'),
                'gateway': ip_spec.get('gateway') or nic_spec.get('gateway')}
    interface = ipaddress.ip_interface(ip_spec)
    return {'address': str(interface.ip), 'netmask': str(interface.network.netmask),
            'gateway': nic_spec.get('gateway')}


def _load_host(store, cluster, networks, spec):
    name = _required(spec, 'name', 'hosts of cluster %s' % cluster['name'])
    host = store.insert('hosts', {
        'id': spec.get('id') or stable_id('host', name),
        'name': name,
        'address': _required(spec, 'address', 'host %s' % name),
        'status': spec.get('status', 'up'),
        'cluster': cluster['id'],
    })
    for index, nic_spec in enumerate(spec.get('nics') or []):
        nic_name = _required(nic_spec, 'name', 'nics of host %s' % name)
        network_id = None
        if nic_spec.get('network'):
            network_id = _network_id(networks, nic_spec['network'], 'nic %s of host %s' % (nic_name, name))
        ip = _ip(nic_spec)
        nic = store.insert('host_nics', {
            'id': nic_spec.get('id') or stable_id('host_nic', name, nic_name),
            'host': host['id'],
            'name': nic_name,
            'mac': nic_spec.get('mac') or '56:6f:%02x:%02x:%02x:%02x' % (
                (len(store.tables['hosts']) >> 8) & 255, len(store.tables['hosts']) & 255, index >> 8, index & 255),
            'ip': ip,
            'bridged': bool(nic_spec.get('bridged', False)),
            'status': nic_spec.get('status', 'up'),
            'mtu': nic_spec.get('mtu', 1500),
            'vlan': nic_spec.get('vlan'),
            'base_interface': nic_spec.get('base_interface'),
            'bonding_slaves': list(nic_spec.get('slaves') or []),
            'network': network_id,
        })
        if network_id:
            # The engine's attachment points at the base NIC of a VLAN device (eth1 for eth1.100).
            carrier = nic['id']
            if nic_spec.get('base_interface'):
                base = [other for other in store.where('host_nics', host=host['id'])
                        if other['name'] == nic_spec['base_interface']]
                if not base:
                    raise SeedError('nic %s of host %s: base_interface "%s" must be listed before it'
                                    % (nic_name, name, nic_spec['base_interface']))
                carrier = base[0]['id']
            store.insert('network_attachments', {
                'id': stable_id('network_attachment', name, nic_name),
                'host': host['id'],
                'network': network_id,
                'host_nic': carrier,
                'ip_address_assignments': [{'ip': ip, 'assignment_method': 'static' if ip else 'none'}],
                'in_sync': True,
            })


def _connection(store, spec, default_type):
    kind = spec.get('type', default_type)
    address = _required(spec, 'address', 'storage connection')
    if kind == 'iscsi':
        key = (kind, address, spec.get('port', 3260), _required(spec, 'target', 'storage connection %s' % address))
    else:
        key = (kind, address, _required(spec, 'path', 'storage connection %s' % address))
    return store.insert('storage_connections', {
        'id': spec.get('id') or stable_id('storage_connection', *key),
        'type': kind,
        'address': address,
        'port': int(spec.get('port', 3260)) if kind == 'iscsi' else None,
        'target': spec.get('target'),
        'portal': str(spec.get('portal', '1')) if kind == 'iscsi' else None,
        'path': spec.get('path'),
        'nfs_version': spec.get('nfs_version'),
        'username': spec.get('username'),
        'password': spec.get('password'),
    })


def _load_domain(store, dc, spec):
    name = _required(spec, 'name', 'storage_domains of %s' % dc['name'])
    storage_type = spec.get('storage_type', 'iscsi')
    connection_ids = [_connection(store, conn, storage_type)['id'] for conn in spec.get('connections') or []]
    store.insert('storage_domains', {
        'id': spec.get('id') or stable_id('storage_domain', name),
        'name': name,
        'data_center': dc['id'],
        'type': spec.get('type', 'data'),
        'storage_type': storage_type,
        'status': spec.get('status', 'active'),
        'master': bool(spec.get('master', False)),
        'connections': connection_ids,
    })


def _load_bond(store, dc, networks, spec):
    name = _required(spec, 'name', 'iscsi_bonds of %s' % dc['name'])
    connection_ids = []
    for conn in spec.get('connections') or []:
        if isinstance(conn, str):
            connection_ids.append(conn)
            continue
        matches = [
            candidate['id'] for candidate in store.all('storage_connections')
            if candidate['address'] == conn.get('address') and candidate['target'] == conn.get('target')
            and candidate['port'] == int(conn.get('port', 3260))
        ]
        if not matches:
            raise SeedError('iscsi bond %s: no storage connection %r' % (name, conn))
        connection_ids.append(matches[0])
    store.insert('iscsi_bonds', {
        'id': spec.get('id') or stable_id('iscsi_bond', dc['name'], name),
        'name': name,
        'description': spec.get('description'),
        'data_center': dc['id'],
        'networks': [_network_id(networks, net, 'iscsi bond %s' % name) for net in spec.get('networks') or []],
        'connections': connection_ids,
    })


def _load_user(store, spec):
    name = _required(spec, 'name', 'users')
    user_name, _sep, domain = name.partition('@')
    user = store.insert('users', {
        'id': spec.get('id') or stable_id('user', name),
        'user_name': name,
        'name': user_name,
        'domain': domain or 'internal',
        'password': _required(spec, 'password', 'user %s' % name),
    })
    roles = {role['name']: role['id'] for role in store.all('roles')}
    dcs = {dc['name']: dc['id'] for dc in store.all('data_centers')}
    for index, perm in enumerate(spec.get('permissions') or []):
        role = _required(perm, 'role', 'permissions of %s' % name)
        if role not in roles:
            raise SeedError('permissions of %s: unknown role "%s"' % (name, role))
        dc_name = perm.get('data_center')
        if dc_name is not None and dc_name not in dcs:
            raise SeedError('permissions of %s: unknown data center "%s"' % (name, dc_name))
        store.insert('permissions', {
            'id': perm.get('id') or stable_id('permission', name, index),
            'user': user['id'],
            'role': roles[role],
            'data_center': dcs.get(dc_name),
        })
