# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hosts with their NICs and network attachments, and the host actions deactivate and activate.

deactivate is MaintenanceNumberOfVdssCommand, activate is ActivateVdsCommand (oVirt/ovirt-engine
bll/), both reached through BackendHostResource.doAction: permission MANIPULATE_HOST (103),
then validate(), then the status change and the command's audit entry. A failure answers
the action with its fault (AbstractBackendActionableResource.handleError/actionFailure).
"""

from ovirtsdk4 import types

from engine_sim import audit, auth, xml_io
from engine_sim.answer import Response
from engine_sim.errors import ApiError, engine_failure, not_authorized, not_found
from engine_sim.render import make, ref
from engine_sim.routes.common import lookup, render_list, render_one

MANIPULATE_HOST = 103
# MaintenanceNumberOfVdssCommand.validate(): any other status is "not operational".
MAINTENANCE_FROM = ('maintenance', 'non_responsive', 'up', 'error', 'preparing_for_maintenance', 'down',
                    'non_operational', 'install_failed')
# MaintenanceVdsCommand: these go to maintenance at once; the others prepare first
# (MaintenanceNumberOfVdssCommand.setVdsStatusToPrepareForMaintenance skips them).
MAINTENANCE_AT_ONCE = ('non_responsive', 'down')


def list_hosts(request):
    pairs = [(host, None) for host in request.store.all('hosts')]
    return render_list(request, 'hosts', pairs, 'hosts', searchable=True)


def get_host(request, host):
    return render_one(request, 'hosts', lookup(request, 'hosts', host))


def list_nics(request, host):
    lookup(request, 'hosts', host)
    pairs = [(nic, None) for nic in request.store.where('host_nics', host=host)]
    return render_list(request, 'host_nics', pairs, 'host_nics')


def get_nic(request, host, nic):
    record = lookup(request, 'host_nics', nic)
    if record['host'] != host:
        raise not_found()
    return render_one(request, 'host_nics', record)


def list_attachments(request, host):
    lookup(request, 'hosts', host)
    pairs = [(attachment, None) for attachment in request.store.where('network_attachments', host=host)]
    return render_list(request, 'network_attachments', pairs, 'network_attachments')


def get_attachment(request, host, attachment):
    record = lookup(request, 'network_attachments', attachment)
    if record['host'] != host:
        raise not_found()
    return render_one(request, 'network_attachments', record)


def list_nic_attachments(request, host, nic):
    record = lookup(request, 'host_nics', nic)
    if record['host'] != host:
        raise not_found()
    pairs = [(attachment, None) for attachment in request.store.where('network_attachments', host_nic=nic)]
    return render_list(request, 'network_attachments', pairs, 'network_attachments')


def _action_answer(host_id, status, fault=None, http_status=200):
    action = make(types.Action, status=status, fault=fault)
    action.host = ref(types.Host, 'hosts', host_id)
    return Response(http_status, xml_io.XML_DECLARATION + xml_io.writer.Writer.write(action))


def _failure(host_id, error):
    """actionFailure: the HTTP status of the fault, the action with the fault and `failed`."""
    fault = types.Fault(reason=error.reason, detail=error.detail)
    return _action_answer(host_id, 'failed', fault, error.status)


def _command(request, host, validate, execute):
    """Permission, validate(), execute; any failure answers as the engine's action does."""
    record = lookup(request, 'hosts', host)
    action = xml_io.read_body(request.body, types.Action)
    try:
        if not auth.has_action_group(request.store, request.user['id'], MANIPULATE_HOST,
                                     request.store.dc_of_cluster(record['cluster'])):
            raise not_authorized()
        validate(record)
    except ApiError as error:
        return _failure(host, error)
    execute(record, action)
    request.store.touch()
    return _action_answer(host, 'complete')


def deactivate(request, host):
    def validate(record):
        message = None
        if record['status'] not in MAINTENANCE_FROM:
            message = 'Cannot switch Host to Maintenance mode, Host is not operational.'
        elif record['status'] == 'maintenance':
            message = 'Cannot switch Host to Maintenance mode. Host is already in Maintenance mode.'
        if message:
            # addMaintenanceFailedReason: the translated messages as GENERIC_ERROR_MESSAGE.
            audit.write(request.store, 'GENERIC_ERROR_MESSAGE', user=request.user,
                        correlation=audit.correlation_id(request), Message=message)
            raise engine_failure([(409, message)])

    def execute(record, action):
        if record['status'] in MAINTENANCE_AT_ONCE:
            record['status'] = 'maintenance'
            record['pending'] = None
        elif record['status'] != 'preparing_for_maintenance' or not record.get('pending'):
            record['status'] = 'preparing_for_maintenance'
            request.sim.monitor.schedule(record, 'maintenance')
        reason = action.reason or None
        record['maintenance_reason'] = reason
        audit.write(request.store, 'USER_VDS_MAINTENANCE' if reason else 'USER_VDS_MAINTENANCE_WITHOUT_REASON',
                    user=request.user, host=record, correlation=audit.correlation_id(request), Reason=reason)

    return _command(request, host, validate, execute)


def activate(request, host):
    def validate(record):
        # HostValidator.validateStatusForActivation
        if record['status'] == 'up':
            raise engine_failure([(409, 'Cannot activate Host. Host in Up status.')])
        if record['status'] == 'non_responsive':
            raise engine_failure([(409, 'Cannot activate Host. Host is in non responsive state.')])

    def execute(record, _action):
        record['status'] = 'unassigned'
        record['maintenance_reason'] = None
        request.sim.monitor.schedule(record, 'up', log_status=True)
        audit.write(request.store, 'VDS_ACTIVATE', user=request.user, host=record,
                    correlation=audit.correlation_id(request))

    return _command(request, host, validate, execute)


ROUTES = [
    ('GET', r'hosts', list_hosts),
    ('GET', r'hosts/(?P<host>[^/]+)', get_host),
    ('POST', r'hosts/(?P<host>[^/]+)/deactivate', deactivate),
    ('POST', r'hosts/(?P<host>[^/]+)/activate', activate),
    ('GET', r'hosts/(?P<host>[^/]+)/nics', list_nics),
    ('GET', r'hosts/(?P<host>[^/]+)/nics/(?P<nic>[^/]+)', get_nic),
    ('GET', r'hosts/(?P<host>[^/]+)/nics/(?P<nic>[^/]+)/networkattachments', list_nic_attachments),
    ('GET', r'hosts/(?P<host>[^/]+)/networkattachments', list_attachments),
    ('GET', r'hosts/(?P<host>[^/]+)/networkattachments/(?P<attachment>[^/]+)', get_attachment),
]
