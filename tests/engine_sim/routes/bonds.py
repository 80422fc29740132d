# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iSCSI bonds under a data center, and their networks and storageserverconnections.

Order as CommandBase runs it: permission (702 on the DC), bean validation,
then validate(), which stops at its first failure (AddIscsiBondCommand,
EditIscsiBondCommand, IscsiBondValidator).
"""

from ovirtsdk4 import types

from engine_sim import audit, xml_io
from engine_sim.errors import ApiError, engine_failure, entity_not_found, not_found
from engine_sim.routes.common import (action_complete, lookup, ok, render_list, render_one, require,
                                      validate_parameters)
from engine_sim.store import new_id

EDIT_STORAGE_POOL_CONFIGURATION = 702
NAME_CHARACTERS = frozenset('0123456789._-')


def _bean_messages(name, description):
    """Hibernate validation of IscsiBond: each violation adds its text and the attribute path."""
    messages = []
    if name is None:
        messages += ['iSCSI bond name is required', 'Attribute: iscsiBond.name']
    else:
        if not 1 <= len(name) <= 50:
            messages += ['iSCSI bond name must not exceed 50 characters', 'Attribute: iscsiBond.name']
        if not all(char.isalpha() or char in NAME_CHARACTERS for char in name):
            messages += ['iSCSI bond name must be formed from alpha-numeric characters, periods (.), '
                         'hyphens (-), and underscores (_).', 'Attribute: iscsiBond.name']
    if description is not None and len(description) > 4000:
        messages += ['iSCSI bond description must not exceed 4000 characters', 'Attribute: iscsiBond.description']
    return messages


def _subtract(after, before):
    """CollectionUtils.subtract: a multiset difference, so a repeated id stays 'added'."""
    remaining = list(after)
    for item in before:
        if item in remaining:
            remaining.remove(item)
    return remaining


def _validate(store, action, bond, before):
    """validate() of Add/EditIscsiBondCommand; `before` is None on add."""
    prefix = 'Cannot %s iSCSI Bond. ' % action
    dc_id = bond['data_center']
    if before is None or before['name'] != bond['name']:
        if any(other['name'] == bond['name'] and other['id'] != bond['id']
               for other in store.where('iscsi_bonds', data_center=dc_id)):
            raise engine_failure([(409, prefix + 'iSCSI bond with the same name already exists in the Data Center.')])
    added_networks = _subtract(bond['networks'], before['networks'] if before else [])
    if added_networks:
        dc_networks = {network['id'] for network in store.where('networks', data_center=dc_id)}
        missing = [network_id for network_id in added_networks if network_id not in dc_networks]
        if missing:
            raise engine_failure([(409, prefix + 'The following Logical Networks: %s do not exist in the Data Center: %s.'
                                   % (','.join(missing), dc_id))])
        if any(attachment['required'] for network_id in added_networks
               for attachment in store.where('cluster_networks', network=network_id)):
            raise engine_failure([(400, prefix + 'Required network cannot be a part of an iSCSI bond.')])
    added_connections = _subtract(bond['connections'], before['connections'] if before else [])
    if added_connections:
        dc_connections = set(store.dc_iscsi_connection_ids(dc_id))
        missing = [cid for cid in added_connections if cid not in dc_connections]
        if missing:
            raise engine_failure([(409, prefix + (
                'The following storage connections %s cannot be added to the specified iSCSI bond. \n'
                'Possible reasons:\n- They are not of type iSCSI.\n'
                '- Their status is not one of the following: Unknown, Active. Inactive.\n'
                '- They already exist in the iSCSI bond.\n'
                '- They do not belong to the same Data Center as the specified iSCSI bond.') % ','.join(missing))])
    return added_networks, added_connections


def _execute(store, bond, before, added_networks, added_connections):
    """The DB writes; the map tables' primary keys refuse a member twice (derived)."""
    existing_networks = list(before['networks']) if before else []
    existing_connections = list(before['connections']) if before else []
    for network_id in added_networks:
        if network_id in existing_networks:
            raise ApiError(400, ['Internal Engine Error'])
        existing_networks.append(network_id)
    for connection_id in added_connections:
        if connection_id in existing_connections:
            raise ApiError(400, ['Internal Engine Error'])
        existing_connections.append(connection_id)
    if before is None and store.get('data_centers', bond['data_center']) is None:
        raise ApiError(400, ['Internal Engine Error'])  # the FK to storage_pool refuses the row
    if before is not None:
        bond['networks'] = [n for n in bond['networks'] if n in existing_networks]
        bond['connections'] = [c for c in bond['connections'] if c in existing_connections]
        store.tables['iscsi_bonds'][bond['id']] = bond
    else:
        store.insert('iscsi_bonds', bond)


def _log(request, name, bond, **values):
    """The command's audit entry: its user, the bond's data center, `${IscsiBondName}`."""
    audit.write(request.store, name, user=request.user,
                data_center=request.store.get('data_centers', bond['data_center']),
                correlation=audit.correlation_id(request), IscsiBondName=bond['name'], **values)


def _edit(request, before, after):
    """EditIscsiBond as every write path runs it: permission, beans, validate, execute, and its
    audit entries (USER_ISCSI_BOND_HOST_RESTART_WARNING for removed networks, then EDIT_SUCCESS)."""
    require(request, EDIT_STORAGE_POOL_CONFIGURATION, before['data_center'])
    messages = _bean_messages(after['name'], after['description'])
    if messages:
        raise ApiError(400, messages)
    added_networks, added_connections = _validate(request.store, 'edit', after, before)
    _execute(request.store, after, before, added_networks, added_connections)
    removed = [network_id for network_id in before['networks'] if network_id not in after['networks']]
    if removed:
        names = [request.store.get('networks', network_id)['name'] for network_id in removed]
        _log(request, 'USER_ISCSI_BOND_HOST_RESTART_WARNING', after, NetworkNames=','.join(names))
    _log(request, 'ISCSI_BOND_EDIT_SUCCESS', after)


def _bond(request, bond_id):
    """The bond of a member path; an unknown one is EntityNotFoundException (a 404 fault)."""
    bond = request.store.get('iscsi_bonds', bond_id)
    if bond is None:
        raise entity_not_found(bond_id)
    return bond


def _admin_query(request):
    """Bond queries are admin-only: with filter=true QueriesCommandBase refuses them."""
    if (request.param('filter') or '').lower() == 'true':
        raise ApiError(400, raw_detail='Query execution failed due to insufficient permissions.')


def _ids(items):
    return [item.id for item in items or [] if item is not None]


def list_bonds(request, dc):
    _admin_query(request)
    pairs = [(bond, None) for bond in request.store.where('iscsi_bonds', data_center=dc)]
    return render_list(request, 'iscsi_bonds', pairs, 'iscsi_bonds')


def add_bond(request, dc):
    incoming = xml_io.read_body(request.body, types.IscsiBond)
    validate_parameters(incoming, 'IscsiBond', 'name')
    require(request, EDIT_STORAGE_POOL_CONFIGURATION, dc)
    bond = {
        'id': new_id(), 'name': incoming.name, 'description': incoming.description, 'data_center': dc,
        'networks': _ids(incoming.networks), 'connections': _ids(incoming.storage_connections),
    }
    messages = _bean_messages(bond['name'], bond['description'])
    if messages:
        raise ApiError(400, messages)
    added_networks, added_connections = _validate(request.store, 'add', bond, None)
    _execute(request.store, bond, None, added_networks, added_connections)
    _log(request, 'ISCSI_BOND_ADD_SUCCESS', bond)
    location = 'https://%s/ovirt-engine/api/datacenters/%s/iscsibonds/%s' % (
        request.headers.get('Host', '127.0.0.1'), dc, bond['id'])
    response = render_one(request, 'iscsi_bonds', bond)
    response.status = 201
    response.headers['Location'] = location
    return response


def get_bond(request, dc, bond):  # pylint: disable=unused-argument
    """`/datacenters/X/iscsibonds/Y` ignores X, as the engine does."""
    _admin_query(request)
    return render_one(request, 'iscsi_bonds', lookup(request, 'iscsi_bonds', bond))


def update_bond(request, dc, bond):  # pylint: disable=unused-argument
    before = lookup(request, 'iscsi_bonds', bond)
    incoming = xml_io.read_body(request.body, types.IscsiBond)
    if incoming.id is not None and incoming.id != before['id']:
        raise ApiError(409, ['The id in the body (%s) does not match the id in the URL (%s)' % (incoming.id, bond)])
    after = dict(before)
    if incoming.name is not None:
        after['name'] = incoming.name
    if incoming.description is not None:
        after['description'] = incoming.description
    # IscsiBondMapper appends the body's members to the existing ones.
    after['networks'] = list(before['networks']) + _ids(incoming.networks)
    after['connections'] = list(before['connections']) + _ids(incoming.storage_connections)
    _edit(request, before, after)
    return render_one(request, 'iscsi_bonds', request.store.get('iscsi_bonds', bond))


def remove_bond(request, dc, bond):  # pylint: disable=unused-argument
    record = lookup(request, 'iscsi_bonds', bond)
    require(request, EDIT_STORAGE_POOL_CONFIGURATION, record['data_center'])
    request.store.delete('iscsi_bonds', bond)
    _log(request, 'ISCSI_BOND_REMOVE_SUCCESS', record)
    if (request.param('async') or '').lower() == 'true':
        return ok(b'', status=202)
    return action_complete()


def _member_handlers(field, kind, table, root, entity_name):
    """list/add/get/remove for one member sub-collection (`networks` or `storageserverconnections`)."""

    def list_members(request, dc, bond):  # pylint: disable=unused-argument
        _admin_query(request)
        record = request.store.get('iscsi_bonds', bond)
        ids = record[field] if record else []
        pairs = [(request.store.get(table, member_id), None) for member_id in ids]
        return render_list(request, kind, [pair for pair in pairs if pair[0]], root)

    def add_member(request, dc, bond):  # pylint: disable=unused-argument
        expected = types.Network if field == 'networks' else types.StorageConnection
        incoming = xml_io.read_body(request.body, expected)
        validate_parameters(incoming, entity_name, 'id')
        before = _bond(request, bond)
        after = dict(before)
        after[field] = list(before[field]) + [incoming.id]
        _edit(request, before, after)
        return action_complete()

    def get_member(request, dc, bond, member):  # pylint: disable=unused-argument
        _admin_query(request)
        record = _bond(request, bond)
        if member not in record[field] or request.store.get(table, member) is None:
            raise not_found()
        return render_one(request, kind, request.store.get(table, member))

    def remove_member(request, dc, bond, member):  # pylint: disable=unused-argument
        before = _bond(request, bond)
        if member not in before[field]:
            raise not_found()
        after = dict(before)
        after[field] = [member_id for member_id in before[field] if member_id != member]
        _edit(request, before, after)
        return action_complete()

    return list_members, add_member, get_member, remove_member


_NETWORKS = _member_handlers('networks', 'networks', 'networks', 'networks', 'Network')
_CONNECTIONS = _member_handlers('connections', 'storage_connections', 'storage_connections',
                                'storage_connections', 'StorageConnection')

BOND = r'datacenters/(?P<dc>[^/]+)/iscsibonds'
ROUTES = [
    ('GET', BOND, list_bonds),
    ('POST', BOND, add_bond),
    ('GET', BOND + r'/(?P<bond>[^/]+)', get_bond),
    ('PUT', BOND + r'/(?P<bond>[^/]+)', update_bond),
    ('DELETE', BOND + r'/(?P<bond>[^/]+)', remove_bond),
    ('GET', BOND + r'/(?P<bond>[^/]+)/networks', _NETWORKS[0]),
    ('POST', BOND + r'/(?P<bond>[^/]+)/networks', _NETWORKS[1]),
    ('GET', BOND + r'/(?P<bond>[^/]+)/networks/(?P<member>[^/]+)', _NETWORKS[2]),
    ('DELETE', BOND + r'/(?P<bond>[^/]+)/networks/(?P<member>[^/]+)', _NETWORKS[3]),
    ('GET', BOND + r'/(?P<bond>[^/]+)/storageserverconnections', _CONNECTIONS[0]),
    ('POST', BOND + r'/(?P<bond>[^/]+)/storageserverconnections', _CONNECTIONS[1]),
    ('GET', BOND + r'/(?P<bond>[^/]+)/storageserverconnections/(?P<member>[^/]+)', _CONNECTIONS[2]),
    ('DELETE', BOND + r'/(?P<bond>[^/]+)/storageserverconnections/(?P<member>[^/]+)', _CONNECTIONS[3]),
]
