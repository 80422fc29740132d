# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hosts with their NICs and network attachments (read-only here)."""

from engine_sim.errors import not_found
from engine_sim.routes.common import lookup, render_list, render_one


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


ROUTES = [
    ('GET', r'hosts', list_hosts),
    ('GET', r'hosts/(?P<host>[^/]+)', get_host),
    ('GET', r'hosts/(?P<host>[^/]+)/nics', list_nics),
    ('GET', r'hosts/(?P<host>[^/]+)/nics/(?P<nic>[^/]+)', get_nic),
    ('GET', r'hosts/(?P<host>[^/]+)/nics/(?P<nic>[^/]+)/networkattachments', list_nic_attachments),
    ('GET', r'hosts/(?P<host>[^/]+)/networkattachments', list_attachments),
    ('GET', r'hosts/(?P<host>[^/]+)/networkattachments/(?P<attachment>[^/]+)', get_attachment),
]
