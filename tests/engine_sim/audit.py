# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine's audit log, served as /events: the entries the simulator writes.

Codes and severities from oVirt/ovirt-engine AuditLogType.java, texts from
AuditLogMessages.properties (dal bundles), fields as AuditLog and EventMapper
have them. Ids grow by one per entry (the audit_log_id sequence) and survive a
restart with --persist, as the database keeps them.
"""

import datetime
import re
import uuid

# name: (code, severity, message)
TYPES = {
    'USER_VDC_LOGIN': (30, 'normal',
                       "User ${UserName} connecting from '${SourceIP}' using session '${SessionID}' logged in."),
    'USER_VDC_LOGOUT': (31, 'normal',
                        "User ${UserName} connected from '${SourceIP}' using session '${SessionID}' logged out."),
    'VDS_DETECTED': (13, 'normal', 'Status of host ${VdsName} was set to ${HostStatus}.'),
    'VDS_ACTIVATE': (16, 'normal', 'Activation of host ${VdsName} initiated by ${UserName}.'),
    'USER_VDS_MAINTENANCE': (600, 'normal',
                             'Host ${VdsName} was switched to Maintenance mode by ${UserName} (Reason: ${Reason}).'),
    'USER_VDS_MAINTENANCE_WITHOUT_REASON': (620, 'normal',
                                            'Host ${VdsName} was switched to Maintenance mode by ${UserName}.'),
    'NETWORK_ATTACH_NETWORK_TO_CLUSTER': (946, 'normal', 'Network ${NetworkName} attached to Cluster ${ClusterName}'),
    'NETWORK_DETACH_NETWORK_TO_CLUSTER': (948, 'normal', 'Network ${NetworkName} detached from Cluster ${ClusterName}'),
    'USER_ISCSI_BOND_HOST_RESTART_WARNING': (
        2035, 'warning', 'The following Networks has been removed from the iSCSI bond ${IscsiBondName}: '
        '${NetworkNames}. for those changes to take affect, the hosts must be moved to maintenance and activated '
        'again.'),
    'ISCSI_BOND_ADD_SUCCESS': (10400, 'normal',
                               "iSCSI bond '${IscsiBondName}' was successfully created in Data Center "
                               "'${StoragePoolName}'."),
    'ISCSI_BOND_EDIT_SUCCESS': (10402, 'normal', "iSCSI bond '${IscsiBondName}' was successfully updated."),
    'ISCSI_BOND_REMOVE_SUCCESS': (10404, 'normal',
                                  "iSCSI bond '${IscsiBondName}' was removed from Data Center '${StoragePoolName}'"),
    'GENERIC_ERROR_MESSAGE': (14001, 'error', '${Message}'),
}

CODES = {code: name for name, (code, _severity, _text) in TYPES.items()}

# AuditLog's defaults for the engine's own entries (origin "oVirt", custom id -1); the flood
# rate as the events service's documented answer shows it.
ORIGIN = 'oVirt'
CUSTOM_ID = -1
FLOOD_RATE = 30

_PLACEHOLDER = re.compile(r'\$\{(\w+)\}')
_CORRELATION_CHARACTERS = re.compile(r'[^0-9a-zA-Z_-]+')


def user_name(user):
    """`${UserName}` as the engine writes it: user@profile, the internal profile's authz name."""
    return '%s@%s-authz' % (user['user_name'].rsplit('@', 1)[0], user['domain']) if user else None


def correlation_id(request):
    """CurrentFilter: the Correlation-Id header, else the correlation_id parameter, only
    [0-9a-zA-Z_-], at most 36 characters; else a random UUID."""
    for value in (request.headers.get('Correlation-Id'), (request.query.get('correlation_id') or [None])[0]):
        cleaned = _CORRELATION_CHARACTERS.sub('', value or '')
        if cleaned:
            return cleaned[:36]
    return str(uuid.uuid4())


def write(store, name, *, user=None, host=None, cluster=None, data_center=None, correlation=None, **values):
    """Append one entry; `user`, `host`, `cluster`, `data_center` are store records (or None).
    The host's cluster and data center are filled in when not given, as AuditLogableBase does."""
    code, severity, template = TYPES[name]
    if host is not None and cluster is None:
        cluster = store.get('clusters', host['cluster'])
    if cluster is not None and data_center is None:
        data_center = store.get('data_centers', cluster['data_center'])
    values.setdefault('UserName', user_name(user))
    if host is not None:
        values.setdefault('VdsName', host['name'])
    if cluster is not None:
        values.setdefault('ClusterName', cluster['name'])
    if data_center is not None:
        values.setdefault('StoragePoolName', data_center['name'])
    message = _PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), template)
    with store.lock:
        store.event_sequence += 1
        record = {
            'id': store.event_sequence, 'code': code, 'type': name, 'severity': severity,
            'time': datetime.datetime.now(datetime.timezone.utc).astimezone().isoformat(timespec='milliseconds'),
            'message': message, 'correlation_id': correlation, 'origin': ORIGIN, 'custom_id': CUSTOM_ID,
            'flood_rate': FLOOD_RATE, 'deleted': False,
            'user': user['id'] if user else None, 'user_name': user_name(user),
            'host': host['id'] if host else None, 'host_name': host['name'] if host else None,
            'cluster': cluster['id'] if cluster else None, 'cluster_name': cluster['name'] if cluster else None,
            'data_center': data_center['id'] if data_center else None,
            'data_center_name': data_center['name'] if data_center else None,
        }
        store.insert('events', record)
    return record
