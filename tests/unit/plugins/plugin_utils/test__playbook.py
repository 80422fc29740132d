# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._playbook import (
    host_plan_lines, inventory_addresses, plan_lines, retire_plan, would_be_bonds,
)


def bond(name, *networks):
    return {'name': name, 'networks': [{'name': n, 'id': 'id-' + n} for n in networks]}


def test_would_be_bonds_puts_the_callers_first_and_an_absent_bond_as_gone():
    ensured = [{'item': {'name': 'a'}, 'iscsi_bond': bond('a', 'n1')},
               {'item': {'name': 'b', 'state': 'absent'}, 'iscsi_bond': None},
               {'item': {'name': 'c', 'state': 'absent'}}]
    assert would_be_bonds(ensured, [bond('r', 'n2')]) == [bond('r', 'n2'), bond('a', 'n1'),
                                                          {'name': 'b', 'state': 'absent'}, {'name': 'c', 'state': 'absent'}]
    assert not would_be_bonds(None, None)


def test_inventory_addresses_take_ansible_host_or_none():
    hostvars = {'h1': {'ansible_host': '198.18.0.11'}, 'h2': {}, 'other': {'ansible_host': 'x'}}
    assert inventory_addresses(['h1', 'h2'], hostvars) == {'h1': '198.18.0.11', 'h2': None}


def test_plan_lines_name_each_hosts_networks_or_the_default_route():
    plan = {'hosts': {'h2': {'networks': []}, 'h1': {'networks': [{'name': 'iscsi-a'}, {'name': 'iscsi-b'}]}}}
    assert plan_lines(plan) == ['h1 through: iscsi-a, iscsi-b', 'h2 through: default route']
    assert not plan_lines({'hosts': {}})


def test_host_plan_lines_say_which_nic_carries_each_network():
    host_plan = [{'name': 'host1', 'status': 'up', 'ifaces': [{'network': 'iscsi-a', 'name': 'eth1'}, {'network': 'iscsi-b', 'name': 'eth2'}]},
                 {'name': 'host3', 'status': 'maintenance', 'ifaces': []}]
    assert host_plan_lines(host_plan) == ['host1 (up): iscsi-a on eth1, iscsi-b on eth2',
                                          'host3 (maintenance): no bond network, default iface']


def test_retire_plan_changes_the_bonds_holding_the_network_and_names_those_it_would_empty():
    bonds = [bond('both', 'a', 'c'), bond('only-c', 'c'), bond('other', 'a', 'b')]
    assert retire_plan(bonds, 'c') == {'changes': [{'name': 'both', 'networks': ['a']}], 'only_network_of': ['only-c']}
    assert retire_plan(bonds, 'z') == {'changes': [], 'only_network_of': []}
    assert retire_plan([], '') == {'changes': [], 'only_network_of': []}
