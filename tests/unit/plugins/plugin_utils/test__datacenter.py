# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._datacenter import (
    DatacenterError, datacenter_hosts, match_hosts, paths_table, role_inputs,
)

S1 = 'iqn.2026-11.test:storage1'
S2 = 'iqn.2026-11.test:storage2'


def session(iface, address, target=S1, username=None):
    return {'iface': iface, 'address': address, 'port': 3260, 'target': target, 'username': username}


def plan(name, address, ifaces=(), sessions=(), bonds=None):
    return {'name': name, 'address': address, 'status': 'up', 'cluster': 'Default', 'ifaces': list(ifaces),
            'sessions': list(sessions), 'bonds': bonds or [{'name': 'bond1', 'missing_networks': []}]}


IFACES = [{'name': 'ens4', 'nic': 'ens4', 'network': 'iscsi-a', 'net_ifacename': 'ens4', 'bridged': False, 'subnet': '198.18.1.0/24'},
          {'name': 'ens5', 'nic': 'ens5', 'network': 'iscsi-b', 'net_ifacename': 'iscsi-b', 'bridged': True, 'subnet': None}]
SESSIONS = [session('ens4', '198.18.1.1'), session('ens5', '198.18.1.1'), session('ens4', '198.18.2.1'),
            session('ens5', '198.18.2.1'), session('ens4', '198.18.1.1', S2, 'chapuser')]


def test_role_inputs_pass_the_engine_sessions_unchanged_with_chap_from_the_secrets():
    networks, sessions = role_inputs(plan('h1', 'a', IFACES, SESSIONS), {S2: 'sekret'})
    assert networks == [{'name': 'iscsi-a', 'nic': 'ens4', 'bridged': False, 'net_ifacename': 'ens4', 'subnet': '198.18.1.0/24'},
                        {'name': 'iscsi-b', 'nic': 'ens5', 'bridged': True, 'net_ifacename': 'iscsi-b'}]
    # Exactly the engine's sessions, in its order: no recomputed pairing or binding.
    assert [dict(s, password=None) for s in sessions] == [dict(s, password=None) for s in SESSIONS]
    assert [s.get('password') for s in sessions] == [None, None, None, None, 'sekret']


def test_missing_chap_secret_is_named():
    with pytest.raises(DatacenterError, match='target %s uses CHAP user chapuser' % S2):
        role_inputs(plan('h1', 'a', IFACES, SESSIONS), {})


def test_match_by_address_reports_both_sides_by_name():
    plans = [plan('host1', '198.18.0.11'), plan('host2', '198.18.0.12'), plan('ghost', '198.18.0.99')]
    pairs, engine_missing, unknown = match_hosts(plans, {'h1': '198.18.0.11', 'h2': '198.18.0.12', 'extra': '198.18.0.50'}, 'address')
    assert sorted(pairs) == ['h1', 'h2'] and pairs['h1']['name'] == 'host1'
    assert engine_missing == ['ghost'] and unknown == ['extra']


def test_match_by_name_and_address_falls_back_to_the_inventory_name():
    plans = [plan('host1', '198.18.0.11')]
    assert list(match_hosts(plans, {'host1': '10.0.0.1'}, 'name')[0]) == ['host1']
    assert list(match_hosts(plans, {'198.18.0.11': None}, 'address')[0]) == ['198.18.0.11']


def test_bad_rule_and_ambiguous_inventory_are_refused():
    with pytest.raises(DatacenterError, match="match rule 'mac'"):
        match_hosts([], {}, 'mac')
    with pytest.raises(DatacenterError, match='inventory hosts a and b both match 198.18.0.11'):
        match_hosts([], {'a': '198.18.0.11', 'b': '198.18.0.11'}, 'address')


def test_datacenter_hosts_marks_hosts_without_bond_networks_for_the_default_iface():
    info = {'data_center': {'name': 'Default'}, 'iscsi_bonds': [{'name': 'bond1'}], 'host_plan': [
        plan('host1', '198.18.0.11', IFACES, SESSIONS[:4]),
        plan('host3', '198.18.0.13', [], [session('default', '198.18.1.1')],
             bonds=[{'name': 'bond1', 'missing_networks': ['iscsi-b', 'iscsi-a']}])]}
    dc = datacenter_hosts(info, {'host1': '198.18.0.11', 'host3': '198.18.0.13'})
    assert dc['hosts']['host1']['uses_default_iface'] is False
    assert dc['hosts']['host3']['uses_default_iface'] is True
    assert dc['hosts']['host3']['missing_networks'] == ['iscsi-a', 'iscsi-b']
    assert dc['hosts']['host3']['sessions'] == [session('default', '198.18.1.1')]
    assert dc['hosts']['host3']['engine_targets'] == [S1]
    assert (dc['data_center'], dc['bonds']) == ('Default', ['bond1'])


def test_paths_table_lists_paths_missing_ones_and_failed_hosts():
    results = {
        'host1': {'status': 'operational', 'report': {'luns': [{'wwid': 'w1', 'target': S1, 'networks': {
            'iscsi-a': [{'iface': 'ens4', 'portal': '198.18.1.1:3260', 'state': 'active'}]}}], 'missing': []}},
        'host2': {'status': 'non operational', 'report': {'luns': [], 'missing': [
            {'wwid': 'w1', 'target': S1, 'network': 'iscsi-b', 'iface': 'ens5', 'reason': 'no active path'}]}},
        'host4': {'status': 'non operational', 'error': 'unreachable'},
    }
    lines = paths_table(results).splitlines()
    assert lines[0].split() == ['host', 'status', 'LUN', 'target', 'network', 'iface', 'portal', 'path', 'state']
    assert lines[2].split() == ['host1', 'operational', 'w1', S1, 'iscsi-a', 'ens4', '198.18.1.1:3260', 'active']
    assert 'MISSING: no active path' in lines[3] and lines[3].startswith('host2')
    assert lines[4].split()[:2] == ['host4', 'non'] and lines[4].endswith('unreachable')
