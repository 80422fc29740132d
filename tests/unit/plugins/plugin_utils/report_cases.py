# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small data center's plan and host results, as datacenter_hosts and the host play make them
(shared by the report tests)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

T = 'iqn.2026-11.test:storage1'


def session(iface, network, address):
    return {'iface': iface, 'network': network, 'address': address, 'port': 3260, 'target': T}


SESSIONS = [session('ens4', 'iscsi-a', '198.18.1.1'), session('ens5', 'iscsi-b', '198.18.2.1')]


def path(iface, portal, state='active', device='sda'):
    return {'iface': iface, 'portal': portal, 'device': device, 'state': state}


def lun(wwid, a_state='active', b_state='active'):
    return {'wwid': wwid, 'target': T, 'active_paths': [a_state, b_state].count('active'),
            'networks': {'iscsi-a': [path('ens4', '198.18.1.1:3260', a_state)],
                         'iscsi-b': [path('ens5', '198.18.2.1:3260', b_state, 'sdb')]}}


def missing(network, iface, reason, wwid=None):
    return {'wwid': wwid, 'target': T, 'portal': '198.18.2.1:3260', 'iface': iface, 'network': network, 'reason': reason}


PLAN = {'data_center': 'Default', 'bonds': ['bond1'],
        'hosts': dict((h, {'sessions': SESSIONS, 'networks': [{'name': 'iscsi-a'}, {'name': 'iscsi-b'}]})
                      for h in ('good', 'limp', 'dead', 'gone')),
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
}
