# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._report import (
    datacenter_report, network_counts, problem_order, report_failure, report_lines,
)

from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.plugin_utils.report_cases import HOSTVARS, PLAN, SESSIONS, T, lun

KEYS = ['data_center', 'bonds', 'check_mode', 'hosts', 'non_operational', 'degraded', 'failed',
        'engine_hosts_not_in_inventory', 'inventory_hosts_not_in_engine']


def test_the_report_keeps_its_keys_and_adds_the_overview_and_slices_beside_them():
    summary = datacenter_report(PLAN, HOSTVARS)
    assert set(KEYS) <= set(summary)
    assert set(summary) - set(KEYS) == {'overview', 'engine_hosts_in_other_slices', 'slice_count'}
    assert summary['non_operational'] == ['dead', 'gone'] and summary['degraded'] == ['limp']
    assert summary['failed'] == ['dead', 'gone', 'limp']
    assert summary['hosts']['gone']['status'] == 'not run'
    assert summary['slice_count'] == 1 and summary['engine_hosts_in_other_slices'] == []
    assert datacenter_report(PLAN, HOSTVARS, allow_degraded=True)['failed'] == ['dead', 'gone']


def test_overview_counts_active_paths_out_of_one_per_lun_of_each_planned_session():
    item = datacenter_report(PLAN, HOSTVARS)['overview']
    assert item['good'] == {'state': 'operational', 'luns': 2, 'missing': [],
                            'networks': {'iscsi-a': {'active': 2, 'expected': 2}, 'iscsi-b': {'active': 2, 'expected': 2}}}
    assert item['limp']['networks']['iscsi-b'] == {'active': 0, 'expected': 2}
    assert item['limp']['missing'] == ['iscsi-b: 2 paths (failed/faulty)']
    # A target that shows no LUN still expects a path through each session.
    assert item['dead']['networks'] == {'iscsi-a': {'active': 0, 'expected': 1}, 'iscsi-b': {'active': 0, 'expected': 1}}
    assert item['dead']['missing'] == ['iscsi-a: 1 session (login timed out)', 'iscsi-b: 1 session (login timed out)',
                                       'target %s shows no LUN' % T]
    assert item['gone']['missing'] == ['the host play did not reach it (unreachable?)'] and item['gone']['luns'] == 0


def test_a_path_through_an_unplanned_iface_shows_with_nothing_expected():
    report = {'luns': [dict(lun('36001'), networks={'iface eth9 (no storage network)': [{'state': 'active'}]})]}
    assert network_counts(SESSIONS, report) == {'iscsi-a': {'active': 0, 'expected': 1}, 'iscsi-b': {'active': 0, 'expected': 1},
                                                'iface eth9 (no storage network)': {'active': 1, 'expected': 0}}


def test_problem_hosts_come_first():
    items = datacenter_report(PLAN, HOSTVARS)['overview']
    assert problem_order(items) == ['dead', 'gone', 'limp', 'good']


def test_printed_lines_lead_with_one_line_per_host_and_detail_only_for_the_hosts_not_operational():
    summary = datacenter_report(PLAN, HOSTVARS)
    lines = report_lines(summary)
    assert lines[0] == 'data center Default, bonds: bond1'
    assert lines[1] == '4 hosts: 1 non operational, 1 not run, 1 degraded, 1 operational'
    assert 'engine hosts missing from the inventory: 1 (ghost)' in lines
    hosts = [line.split()[0] for line in lines[4:8]]
    assert hosts == ['dead', 'gone', 'limp', 'good'], lines
    assert lines[6].split() == ['limp', 'degraded', '2', 'LUNs', 'iscsi-a', '2/2', 'iscsi-b', '0/2', 'missing:', 'iscsi-b:', '2',
                                'paths', '(failed/faulty)']
    table = lines[lines.index('paths of the hosts not operational:'):]
    assert any(row.startswith('limp ') for row in table) and any(row.startswith('dead ') for row in table)
    assert not any(row.startswith(('good ', 'gone ')) for row in table)
    detailed = report_lines(summary, detail=True)
    assert any(row.startswith('good ') for row in detailed[detailed.index('paths of every host:'):])


def test_with_slices_the_other_slices_hosts_are_named_as_such():
    plan = dict(PLAN, engine_hosts_not_in_inventory=[], engine_hosts_in_other_slices=['h9', 'h10'])
    summary = datacenter_report(plan, HOSTVARS, slice_count=2)
    assert summary['slice_count'] == 2 and summary['engine_hosts_in_other_slices'] == ['h9', 'h10']
    assert 'engine hosts in other slices (2 slices): 2 (h9, h10)' in report_lines(summary)
    assert not any('missing from the inventory' in line for line in report_lines(summary))


def test_failure_names_the_non_operational_and_the_degraded_unless_allowed():
    assert report_failure(datacenter_report(PLAN, HOSTVARS)) == (
        'non operational: dead, gone; degraded: limp (datacenter_paths_allow_degraded: true accepts it)')
    assert report_failure(datacenter_report(PLAN, HOSTVARS, allow_degraded=True)) == 'non operational: dead, gone'
    assert report_failure(datacenter_report(dict(PLAN, hosts={'good': {}}), HOSTVARS)) == ''


def test_hosts_skipped_on_purpose_fail_nothing_and_are_not_non_operational():
    summary = datacenter_report(PLAN, {}, host_play_skipped=True)
    assert set(h['status'] for h in summary['hosts'].values()) == {'skipped'}
    assert summary['failed'] == [] and summary['non_operational'] == [] and report_failure(summary) == ''
    assert summary['overview']['good']['missing'] == ['the host play was skipped (--skip-tags datacenter_paths_hosts)']
    assert 'paths of the hosts not operational:' not in report_lines(summary)
