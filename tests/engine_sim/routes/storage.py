# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Storage domains and storage connections (passwords accepted, never returned)."""

from ovirtsdk4 import types

from engine_sim import xml_io
from engine_sim.errors import ApiError, engine_failure, not_found
from engine_sim.routes.common import action_complete, lookup, render_list, render_one, require
from engine_sim.store import new_id

CREATE_STORAGE_DOMAIN = 600
DELETE_STORAGE_DOMAIN = 602


def list_domains(request):
    pairs = [(domain, None) for domain in request.store.all('storage_domains')]
    return render_list(request, 'storage_domains', pairs, 'storage_domains', searchable=True)


def get_domain(request, domain):
    return render_one(request, 'storage_domains', lookup(request, 'storage_domains', domain))


def list_dc_domains(request, dc):
    pairs = [(domain, ('datacenter', dc)) for domain in request.store.domains_of_dc(dc)]
    return render_list(request, 'storage_domains', pairs, 'storage_domains')


def get_dc_domain(request, dc, domain):
    record = lookup(request, 'storage_domains', domain)
    if record['data_center'] != dc:
        raise not_found()
    return render_one(request, 'storage_domains', record, ('datacenter', dc))


def list_domain_connections(request, domain):
    record = lookup(request, 'storage_domains', domain)
    pairs = [(request.store.get('storage_connections', cid), None) for cid in record['connections']]
    return render_list(request, 'storage_connections', [pair for pair in pairs if pair[0]], 'storage_connections')


def list_connections(request):
    pairs = [(connection, None) for connection in request.store.all('storage_connections')]
    return render_list(request, 'storage_connections', pairs, 'storage_connections')


def get_connection(request, connection):
    return render_one(request, 'storage_connections', lookup(request, 'storage_connections', connection))


def add_connection(request):
    incoming = xml_io.read_body(request.body, types.StorageConnection)
    if incoming.type is None or not incoming.address:
        raise ApiError(400, raw_detail='StorageConnection [type, address] required for add',
                       reason='Incomplete parameters')
    require(request, CREATE_STORAGE_DOMAIN, None)
    kind = incoming.type.value
    if kind == 'iscsi' and not incoming.target:
        raise ApiError(400, raw_detail='StorageConnection [target] required for add', reason='Incomplete parameters')
    record = request.store.insert('storage_connections', {
        'id': new_id(), 'type': kind, 'address': incoming.address,
        'port': incoming.port or 3260 if kind == 'iscsi' else None, 'target': incoming.target,
        'portal': incoming.portal or '1' if kind == 'iscsi' else None, 'path': incoming.path,
        'nfs_version': incoming.nfs_version.value if incoming.nfs_version else None,
        'username': incoming.username, 'password': incoming.password,
    })
    response = render_one(request, 'storage_connections', record)
    response.status = 201
    return response


def remove_connection(request, connection):
    """Refused while a storage domain uses it; otherwise the map tables' cascade drops it from bonds."""
    record = lookup(request, 'storage_connections', connection)
    require(request, DELETE_STORAGE_DOMAIN, None)
    users = [domain['name'] for domain in request.store.all('storage_domains') if connection in domain['connections']]
    if users:
        raise engine_failure([(409, 'Cannot remove Storage Connection. Storage connection parameters are used by the '
                                    'following storage domains : %s.' % ','.join(users))])
    for bond in request.store.all('iscsi_bonds'):
        if connection in bond['connections']:
            bond['connections'] = [cid for cid in bond['connections'] if cid != connection]
    request.store.delete('storage_connections', record['id'])
    return action_complete()


ROUTES = [
    ('GET', r'storagedomains', list_domains),
    ('GET', r'storagedomains/(?P<domain>[^/]+)', get_domain),
    ('GET', r'storagedomains/(?P<domain>[^/]+)/storageconnections', list_domain_connections),
    ('GET', r'datacenters/(?P<dc>[^/]+)/storagedomains', list_dc_domains),
    ('GET', r'datacenters/(?P<dc>[^/]+)/storagedomains/(?P<domain>[^/]+)', get_dc_domain),
    ('GET', r'storageconnections', list_connections),
    ('POST', r'storageconnections', add_connection),
    ('GET', r'storageconnections/(?P<connection>[^/]+)', get_connection),
    ('DELETE', r'storageconnections/(?P<connection>[^/]+)', remove_connection),
]
