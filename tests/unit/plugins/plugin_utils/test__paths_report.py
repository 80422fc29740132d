# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._paths_report import paths_report, paths_summary, stray_sessions

IQN = 'iqn.2026-11.test:storage1'
BINDINGS = [{'network': 'iscsi-a', 'iface': 'ens4'}, {'network': 'iscsi-b', 'iface': 'ens5'}]


def path(iface, portal, device, active=True, dm='active', checker='ready', session='LOGGED_IN'):
    return {'iface': iface, 'portal': portal, 'device': device, 'target': IQN, 'active': active,
            'dm_state': dm, 'checker_state': checker, 'session_state': session}


def test_paths_grouped_by_network_with_state():
    info = {'luns': [{'wwid': 'w1', 'active_paths': 1, 'paths': [
        path('ens5', '198.18.2.1:3260', 'sdb', active=False, dm='failed', checker='faulty'),
        path('ens4', '198.18.1.1:3260', 'sda'),
        path('default', '198.18.0.1:3260', 'sdc')]}], 'missing': []}
    report = paths_report(info, BINDINGS)
    lun = report['luns'][0]
    assert (lun['wwid'], lun['target'], lun['active_paths']) == ('w1', IQN, 1)
    assert lun['networks']['iscsi-a'] == [{'iface': 'ens4', 'portal': '198.18.1.1:3260', 'device': 'sda', 'state': 'active'}]
    assert lun['networks']['iscsi-b'][0]['state'] == 'failed/faulty'
    assert lun['networks']['iface default (no storage network)'][0]['state'] == 'active'
    assert report['operational'] is True


def test_missing_path_makes_the_host_non_operational_and_names_the_network():
    info = {'luns': [], 'missing': [{'wwid': 'w1', 'target': IQN, 'iface': 'ens5', 'reason': 'no active path'}]}
    report = paths_report(info, BINDINGS)
    assert report['operational'] is False
    assert report['missing'] == [{'wwid': 'w1', 'target': IQN, 'iface': 'ens5', 'reason': 'no active path', 'network': 'iscsi-b'}]


def test_check_mode_planned_logins_are_expected_not_missing():
    info = {'luns': [], 'missing': [{'wwid': None, 'target': IQN, 'iface': 'ens6', 'reason': 'no logged-in session'},
                                    {'wwid': 'w1', 'target': IQN, 'iface': 'ens5', 'reason': 'no active path'}]}
    report = paths_report(info, BINDINGS + [{'network': 'iscsi-c', 'iface': 'ens6'}], planned=[[IQN, 'ens6']])
    assert [m['iface'] for m in report['would_create']] == ['ens6']
    assert [m['iface'] for m in report['missing']] == ['ens5']
    assert report['operational'] is False


def test_session_states_other_than_logged_in_are_named():
    info = {'luns': [{'wwid': 'w1', 'paths': [path('ens4', 'p', 'sda', active=False, session='FAILED'),
                                              path('ens5', 'p', 'sdb', active=False, dm=None, checker=None)]}]}
    states = {n: p[0]['state'] for n, p in paths_report(info, BINDINGS)['luns'][0]['networks'].items()}
    assert states == {'iscsi-a': 'session failed', 'iscsi-b': 'no multipath map'}


def test_stray_sessions_leave_out_the_ones_about_to_go():
    sessions = [{'target': IQN, 'portal': '198.18.0.1:3260', 'iface': 'default'},
                {'target': IQN, 'portal': '198.18.2.1:3260', 'iface': 'ens5'},
                {'target': IQN, 'portal': '198.18.1.1:3260', 'iface': 'ens4'}]
    leaving = [{'target': IQN, 'portal': '198.18.2.1:3260', 'iface': 'ens5'}]
    assert stray_sessions(sessions, ['ens4'], leaving) == [sessions[0]]
    assert len(stray_sessions(sessions, ['ens4'], [])) == 2


def test_paths_about_to_be_logged_out_leave_the_luns_and_are_listed():
    info = {'luns': [{'wwid': 'w1', 'active_paths': 2, 'paths': [
        path('ens4', '198.18.1.1:3260', 'sda'), path('ens6', '198.18.3.1:3260', 'sdc')]}], 'missing': []}
    leaving = [{'target': IQN, 'portal': '198.18.3.1:3260', 'iface': 'ens6'}]
    report = paths_report(info, BINDINGS, [], leaving, ['ens6'])
    assert list(report['luns'][0]['networks']) == ['iscsi-a']
    assert report['leaving'] == {'nodes': leaving, 'ifaces': ['ens6']}


def test_missing_lines_name_a_refused_target_with_its_reason():
    from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._paths_report import missing_lines
    report = {'missing': [{'wwid': 'w1', 'network': 'iscsi-b', 'iface': 'ens5', 'portal': '198.18.2.1:3260,1', 'reason': 'session failed'}],
              'refused': [{'target': 'iqn.x:storage2', 'reason': 'refused to release iqn.x:storage2: map m2 (w2) is held: open by fio (pid 7)'}]}
    assert missing_lines(report) == [
        'LUN w1 has no active path through network iscsi-b (iface ens5, portal 198.18.2.1:3260,1): session failed',
        'refused to release iqn.x:storage2: map m2 (w2) is held: open by fio (pid 7)']


def test_paths_summary_says_what_the_role_said_in_jinja():
    # Each expected line was rendered by the role's former Jinja (converge.yml) from the same report.
    miss = {'wwid': '3600', 'target': 'iqn.x:t', 'portal': '198.18.2.1:3260', 'iface': 'ens5', 'network': 'iscsi-b', 'reason': 'no path'}
    assert paths_summary({'state': 'operational', 'luns': [1, 2], 'missing': [], 'would_create': [], 'refused': [],
                          'lock': {'waited': 0.0, 'took_over': None}}) == 'operational: 2 LUN(s)'
    report = {'state': 'degraded', 'luns': [1], 'missing': [miss, dict(miss, wwid=None)],
              'would_create': [{'iface': 'ens4'}, {'iface': 'ens6'}, {'iface': 'ens4'}], 'refused': [{'reason': 'refused to release x'}],
              'unreachable': [1, 2], 'seconds': {'create': 0.1, 'login': 2.25, 'total': 3},
              'lock': {'waited': 12.6, 'took_over': {'pid': 42, 'module': 'iscsi_sessions', 'alive': False}}}
    assert paths_summary(report) == (
        'degraded: 1 LUN(s), missing: LUN 3600 has no active path through network iscsi-b (iface ens5, portal 198.18.2.1:3260): no path; '
        'target iqn.x:t has no active path through network iscsi-b (iface ens5, portal 198.18.2.1:3260): no path; refused to release x; '
        'check mode would log in ens4, ens6; 2 session(s) not routable (portal outside the subnet of its iface): not tried, not missing; '
        'seconds: create 0.1, login 2.25, total 3; waited 13 s for another run on this host; '
        'took over the host lock of a run that ended without releasing it: pid 42 (iscsi_sessions)')
    assert paths_summary({'state': 'non operational', 'luns': [], 'missing': [], 'would_create': [], 'refused': [], 'unreachable': [],
                          'seconds': {}, 'lock': {'waited': 0.95, 'took_over': None}}) == 'non operational: 0 LUN(s); seconds: '
