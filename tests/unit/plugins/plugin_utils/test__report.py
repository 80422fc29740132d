# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._report import (
    datacenter_report, host_line, network_counts, problem_order, report_failure, report_lines,
)

from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.plugin_utils.report_cases import (
    FAR_SESSIONS, HOSTVARS, PLAN, SESSIONS, T, lun, missing, session, unreachable,
)

KEYS = ['data_center', 'bonds', 'check_mode', 'hosts', 'non_operational', 'degraded', 'failed',
        'engine_hosts_not_in_inventory', 'inventory_hosts_not_in_engine']


def test_the_report_keeps_its_keys_and_adds_the_overview_and_slices_beside_them():
    summary = datacenter_report(PLAN, HOSTVARS)
    assert set(KEYS) <= set(summary)
    assert set(summary) - set(KEYS) == {'overview', 'engine_hosts_in_other_slices', 'slice_count',
                                        'engine_statuses', 'maintenance', 'not_connected', 'disconnected'}
    assert summary['non_operational'] == ['dead', 'gone'] and summary['degraded'] == ['limp']
    assert summary['failed'] == ['dead', 'gone', 'limp']
    assert summary['hosts']['gone']['status'] == 'not run'
    assert summary['slice_count'] == 1 and summary['engine_hosts_in_other_slices'] == []
    assert datacenter_report(PLAN, HOSTVARS, allow_degraded=True)['failed'] == ['dead', 'gone']


def count(active, expected, not_routable=0, would_log_in=0):
    return {'active': active, 'expected': expected, 'not_routable': not_routable, 'would_log_in': would_log_in}


def test_overview_counts_active_paths_out_of_one_per_lun_of_each_planned_session():
    item = datacenter_report(PLAN, HOSTVARS)['overview']
    # PLAN says no engine status (a plan made before it carried one): converged, as before.
    assert item['good'] == {'state': 'operational', 'engine_status': None, 'luns': 2, 'missing': [],
                            'networks': {'iscsi-a': count(2, 2), 'iscsi-b': count(2, 2)}}
    assert item['limp']['networks']['iscsi-b'] == count(0, 2)
    assert item['limp']['missing'] == ['iscsi-b: 2 paths (failed/faulty)']
    # A target that shows no LUN still expects a path through each session.
    assert item['dead']['networks'] == {'iscsi-a': count(0, 1), 'iscsi-b': count(0, 1)}
    assert item['dead']['missing'] == ['iscsi-a: 1 session (login timed out)', 'iscsi-b: 1 session (login timed out)',
                                       'target %s shows no LUN' % T]
    assert item['gone']['missing'] == ['the host play did not reach it (unreachable?)'] and item['gone']['luns'] == 0


def test_sessions_the_host_did_not_try_outside_its_subnets_are_not_routable_never_expected():
    """The demo's hosts: each NIC reaches one portal of two; every routable path active reads full."""
    item = datacenter_report(PLAN, HOSTVARS)['overview']['far']
    assert item == {'state': 'operational', 'engine_status': None, 'luns': 2, 'missing': [],
                    'networks': {'iscsi-a': count(2, 2, not_routable=2), 'iscsi-b': count(2, 2, not_routable=2)}}
    assert host_line('far', item).split() == ['far', 'operational', '2', 'LUNs', 'iscsi-a', '2/2', '(2', 'not', 'routable)',
                                              'iscsi-b', '2/2', '(2', 'not', 'routable)']


def test_the_host_report_says_what_was_not_tried_and_a_host_without_one_is_predicted_from_the_subnets():
    # What the host reported wins: here it tried every session (a subnet the host saw otherwise).
    assert network_counts(FAR_SESSIONS, {'luns': [lun('36001')], 'unreachable': []})['iscsi-a'] == count(1, 2)
    # A host that did not report: the plan's subnets, as the host would decide.
    assert datacenter_report(PLAN, {})['overview']['far']['networks']['iscsi-b'] == count(0, 1, not_routable=1)
    # Portals compare as the host compares them (IPv6 in one text, IQNs in any case).
    sessions = [session('ens4', 'iscsi-a', 'FD00::1', 'fd00:1::/64')]
    report = {'luns': [], 'unreachable': [dict(unreachable('iscsi-a', 'ens4', '[fd00::1]:3260', 'fd00:1::/64'), target=T.upper())]}
    assert network_counts(sessions, report) == {'iscsi-a': count(0, 0, not_routable=1)}


def test_check_mode_logins_are_counted_apart_as_would_log_in():
    would = [dict(missing('iscsi-b', 'ens5', 'would log in'))]
    report = {'luns': [dict(lun('36001'), networks={'iscsi-a': lun('36001')['networks']['iscsi-a']})], 'missing': [],
              'would_create': would}
    assert network_counts(SESSIONS, report) == {'iscsi-a': count(1, 1), 'iscsi-b': count(0, 0, would_log_in=1)}
    summary = datacenter_report(PLAN, {'good': {'datacenter_paths_result': {'status': 'operational', 'report': report}}},
                                check_mode=True)
    assert summary['check_mode'] is True
    lines = report_lines(summary)
    assert lines[0] == 'data center Default, bonds: bond1 (check mode: nothing was changed)'
    good = next(line for line in lines if line.startswith('good '))
    assert good.split()[4:] == ['iscsi-a', '1/1', 'iscsi-b', '0/0', '(1', 'would', 'log', 'in)'], good


def test_a_path_through_an_unplanned_iface_shows_with_nothing_expected():
    report = {'luns': [dict(lun('36001'), networks={'iface eth9 (no storage network)': [{'state': 'active'}]})]}
    assert network_counts(SESSIONS, report) == {'iscsi-a': count(0, 1), 'iscsi-b': count(0, 1),
                                                'iface eth9 (no storage network)': count(1, 0)}


def test_problem_hosts_come_first():
    items = datacenter_report(PLAN, HOSTVARS)['overview']
    assert problem_order(items) == ['dead', 'gone', 'limp', 'far', 'good']


def test_printed_lines_lead_with_one_line_per_host_and_detail_only_for_the_hosts_not_operational():
    summary = datacenter_report(PLAN, HOSTVARS)
    lines = report_lines(summary)
    assert lines[0] == 'data center Default, bonds: bond1'
    assert lines[1] == '5 hosts: 1 non operational, 1 not run, 1 degraded, 2 operational'
    assert 'engine hosts missing from the inventory: 1 (ghost)' in lines
    hosts = [line.split()[0] for line in lines[4:9]]
    assert hosts == ['dead', 'gone', 'limp', 'far', 'good'], lines
    assert lines[6].split() == ['limp', 'degraded', '2', 'LUNs', 'iscsi-a', '2/2', 'iscsi-b', '0/2', 'missing:', 'iscsi-b:', '2',
                                'paths', '(failed/faulty)']
    table = lines[lines.index('paths of the hosts not operational:'):]
    assert any(row.startswith('limp ') for row in table) and any(row.startswith('dead ') for row in table)
    assert not any(row.startswith(('good ', 'gone ', 'far ')) for row in table)
    detailed = report_lines(summary, detail=True)
    assert any(row.startswith('good ') for row in detailed[detailed.index('paths of every host:'):])
    # The detail says what was not tried, as not routable, never missing.
    far = [row for row in detailed if row.startswith('far ')]
    assert sum('not routable: portal outside the subnet' in row for row in far) == 2 and not any('MISSING' in row for row in far)


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
