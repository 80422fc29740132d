# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small data center's plan and host results, as datacenter_hosts and the host play make them
(shared by the report tests)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

T = 'iqn.2026-11.test:storage1'


def session(iface, network, address, subnet=None):
    planned = {'iface': iface, 'network': network, 'address': address, 'port': 3260, 'target': T}
    if subnet:
        planned['subnet'] = subnet
    return planned


SESSIONS = [session('ens4', 'iscsi-a', '198.18.1.1'), session('ens5', 'iscsi-b', '198.18.2.1')]
# The demo's layout: the engine pairs every NIC with every portal, and each NIC's subnet holds one
# portal only; the host does not try the other (its report's unreachable), by design.
FAR_SESSIONS = [session('ens4', 'iscsi-a', '198.18.1.1', '198.18.1.0/24'), session('ens4', 'iscsi-a', '198.18.2.1', '198.18.1.0/24'),
                session('ens5', 'iscsi-b', '198.18.1.1', '198.18.2.0/24'), session('ens5', 'iscsi-b', '198.18.2.1', '198.18.2.0/24')]


def path(iface, portal, state='active', device='sda'):
    return {'iface': iface, 'portal': portal, 'device': device, 'state': state}


def lun(wwid, a_state='active', b_state='active'):
    return {'wwid': wwid, 'target': T, 'active_paths': [a_state, b_state].count('active'),
            'networks': {'iscsi-a': [path('ens4', '198.18.1.1:3260', a_state)],
                         'iscsi-b': [path('ens5', '198.18.2.1:3260', b_state, 'sdb')]}}


def missing(network, iface, reason, wwid=None, portal='198.18.2.1:3260'):
    return {'wwid': wwid, 'target': T, 'portal': portal, 'iface': iface, 'network': network, 'reason': reason}


def unreachable(network, iface, portal, subnet):
    return missing(network, iface, 'portal outside the subnet %s of iface %s: not tried' % (subnet, iface), portal=portal)


NETWORKS = [{'name': 'iscsi-a'}, {'name': 'iscsi-b'}]
PLAN = {'data_center': 'Default', 'bonds': ['bond1'],
        'hosts': dict([(h, {'sessions': SESSIONS, 'networks': NETWORKS}) for h in ('good', 'limp', 'dead', 'gone')]
                      + [('far', {'sessions': FAR_SESSIONS, 'networks': NETWORKS})]),
        'engine_hosts_not_in_inventory': ['ghost'], 'inventory_hosts_not_in_engine': ['stranger']}

HOSTVARS = {
    'good': {'datacenter_paths_result': {'status': 'operational', 'error': '', 'report': {
        'luns': [lun('36001'), lun('36002')], 'missing': [], 'would_create': []}}},
    'limp': {'datacenter_paths_result': {'status': 'degraded', 'error': 'x', 'report': {
        'luns': [lun('36001', b_state='failed/faulty'), lun('36002', b_state='failed/faulty')],
        'missing': [missing('iscsi-b', 'ens5', 'failed/faulty', '36001'), missing('iscsi-b', 'ens5', 'failed/faulty', '36002')],
        'would_create': []}}},
    'dead': {'datacenter_paths_result': {'status': 'non operational', 'error': 'login timed out', 'report': {
        'luns': [], 'missing': [missing('iscsi-a', 'ens4', 'login timed out'), missing('iscsi-b', 'ens5', 'login timed out')],
        'targets_without_luns': [T]}}},
    'gone': {},
    'far': {'datacenter_paths_result': {'status': 'operational', 'error': '', 'report': {
        'luns': [lun('36001'), lun('36002')], 'missing': [], 'would_create': [],
        'unreachable': [unreachable('iscsi-a', 'ens4', '198.18.2.1:3260', '198.18.1.0/24'),
                        unreachable('iscsi-b', 'ens5', '198.18.1.1:3260', '198.18.2.0/24')]}}},
}
