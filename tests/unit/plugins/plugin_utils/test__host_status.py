# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine's host status decides (issue 18, item 1): the action per host, and how the
report (JSON, printed lines, page) shows the hosts the engine connects no storage in."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._datacenter import datacenter_hosts
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._host_status import (
    CONNECTS_STORAGE, CONVERGE, DISCONNECT, LEAVE, host_action, is_left_state, left_state,
)
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._playbook import plan_lines
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._report import (
    datacenter_report, report_failure, report_lines,
)
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._report_html import report_html
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.plugin_utils.report_cases import HOSTVARS, NETWORKS, PLAN, SESSIONS

# Every HostStatus of ovirt-engine-api-model types/HostStatus.java, as the SDK spells them.
HOST_STATUSES = ['connecting', 'down', 'error', 'initializing', 'install_failed', 'installing', 'installing_os', 'kdumping',
                 'maintenance', 'non_operational', 'non_responsive', 'pending_approval', 'preparing_for_maintenance', 'reboot',
                 'unassigned', 'up']


def test_the_engine_connects_storage_only_to_up_hosts_so_only_they_converge():
    assert CONNECTS_STORAGE == frozenset(['up'])
    assert [s for s in HOST_STATUSES if host_action(s) == CONVERGE] == ['up']
    # On the way to up (activation: unassigned; VDSM recovering: initializing) nothing is connected yet.
    assert host_action('unassigned') == host_action('initializing') == LEAVE
    assert [s for s in HOST_STATUSES if host_action(s, disconnect_maintenance=True) == DISCONNECT] == ['maintenance']
    assert host_action('maintenance') == LEAVE and host_action('non_operational', True) == LEAVE
    # A plan made before it carried the status converges, as it always did.
    assert host_action(None) == CONVERGE


def test_left_states_name_maintenance_or_the_engine_status():
    assert left_state('maintenance') == 'maintenance'
    assert left_state('non_responsive') == 'not connected (engine status non_responsive)'
    assert all(is_left_state(left_state(s)) for s in HOST_STATUSES if s != 'up')
    assert not any(is_left_state(s) for s in ('operational', 'degraded', 'non operational', 'not run', 'skipped'))


def engine_host(name, address, status):
    return {'name': name, 'address': address, 'status': status, 'cluster': 'Default', 'ifaces': [], 'bonds': [],
            'sessions': [{'iface': 'default', 'address': '198.18.1.1', 'port': 3260, 'target': 'iqn.2026-11.test:t'}]}


@pytest.mark.parametrize('disconnect, action', [(False, 'leave'), (True, 'disconnect')])
def test_datacenter_hosts_gives_each_host_the_action_its_engine_status_allows(disconnect, action):
    info = {'data_center': {'name': 'Default'}, 'iscsi_bonds': [], 'host_plan': [
        engine_host('h1', '10.0.0.1', 'up'), engine_host('h2', '10.0.0.2', 'maintenance'),
        engine_host('h3', '10.0.0.3', 'non_responsive')]}
    plan = datacenter_hosts(info, {'h1': '10.0.0.1', 'h2': '10.0.0.2', 'h3': '10.0.0.3'}, disconnect_maintenance=disconnect)
    assert dict((n, (h['status'], h['action'])) for n, h in plan['hosts'].items()) == {
        'h1': ('up', 'converge'), 'h2': ('maintenance', action), 'h3': ('non_responsive', 'leave')}
    # The plan still holds their sessions: the engine's plan is reported, not changed.
    assert all(h['sessions'] for h in plan['hosts'].values())
    assert plan_lines(plan) == ['h1 through: default route',
                                'h2 (engine status maintenance): %s' % ('disconnect what this collection made' if disconnect
                                                                        else 'left alone'),
                                'h3 (engine status non_responsive): left alone']


def with_hosts(**extra):
    """PLAN's hosts up, plus EXTRA {name: (engine status, action)} planned like them."""
    hosts = dict((n, dict(h, status='up', action='converge')) for n, h in PLAN['hosts'].items())
    hosts.update((n, {'sessions': SESSIONS, 'networks': NETWORKS, 'status': s, 'action': a}) for n, (s, a) in extra.items())
    return dict(PLAN, hosts=hosts)


PLAN_LEFT = with_hosts(rest=('maintenance', 'leave'), lost=('non_responsive', 'leave'), new=('installing', 'leave'))


def test_hosts_the_engine_does_not_connect_are_reported_with_its_status_and_fail_nothing():
    summary = datacenter_report(PLAN_LEFT, HOSTVARS, allow_degraded=True)
    # The same failures as without them: they are neither failed nor non operational.
    assert summary['failed'] == ['dead', 'gone'] and summary['non_operational'] == ['dead', 'gone']
    assert summary['hosts']['rest']['status'] == 'maintenance' and summary['hosts']['rest']['engine_status'] == 'maintenance'
    assert summary['hosts']['lost']['status'] == 'not connected (engine status non_responsive)'
    assert summary['hosts']['new']['status'] == 'not connected (engine status installing)'
    assert summary['hosts']['good']['engine_status'] == 'up' and summary['hosts']['good']['status'] == 'operational'
    assert summary['engine_statuses'] == {'up': 5, 'maintenance': 1, 'non_responsive': 1, 'installing': 1}
    assert summary['maintenance'] == ['rest'] and summary['not_connected'] == ['lost', 'new', 'rest']
    assert summary['disconnected'] == []
    # Nothing is expected of them: no network counts, so no cell can read as missing.
    rest = summary['overview']['rest']
    assert rest['networks'] == {} and rest['luns'] == 0 and rest['engine_status'] == 'maintenance'
    assert 'VDSM disconnected its storage' in rest['missing'][0]
    assert report_failure(summary) == 'non operational: dead, gone'


def test_even_a_result_left_by_an_earlier_play_does_not_count_for_a_host_left_alone():
    hostvars = dict(HOSTVARS, rest={'datacenter_paths_result': {'status': 'non operational', 'error': 'stale'}})
    summary = datacenter_report(PLAN_LEFT, hostvars)
    assert summary['hosts']['rest']['status'] == 'maintenance' and 'rest' not in summary['failed']


def test_printed_lines_count_the_states_and_say_why_a_host_was_left_without_calling_it_missing():
    lines = report_lines(datacenter_report(PLAN_LEFT, HOSTVARS))
    assert lines[1] == ('8 hosts: 1 non operational, 1 not run, 1 degraded, 1 maintenance, '
                        '1 not connected (engine status installing), 1 not connected (engine status non_responsive), 2 operational')
    hosts = [line.split()[0] for line in lines[4:12]]
    assert hosts == ['dead', 'gone', 'limp', 'rest', 'lost', 'new', 'far', 'good'], lines
    rest = next(line for line in lines if line.startswith('rest '))
    assert 'missing:' not in rest and 'left alone' in rest
    # Their paths are not tabled: they have none to show.
    assert not any(line.startswith(('rest ', 'lost ')) for line in lines[lines.index('paths of the hosts not operational:'):])


def test_a_maintenance_host_disconnected_on_request_says_what_went_and_a_refused_one_fails_the_run():
    plan = with_hosts(off=('maintenance', 'disconnect'), stuck=('maintenance', 'disconnect'))
    removed = {'sessions': ['s1', 's2'], 'ifaces': ['ens4'], 'node_records': 0}
    hostvars = dict(HOSTVARS, off={'datacenter_paths_result': {'disconnect': 'done', 'report': {'removed': removed}}},
                    stuck={'datacenter_paths_result': {'status': 'non operational', 'error': 'storage is open: lv1 active'}})
    summary = datacenter_report(plan, hostvars, allow_degraded=True)
    assert summary['hosts']['off']['status'] == 'maintenance' and summary['hosts']['off']['disconnect'] == 'done'
    assert summary['overview']['off']['missing'] == ['disconnected on request: removed ifaces 1, sessions 2']
    assert summary['disconnected'] == ['off'] and summary['maintenance'] == ['off', 'stuck']
    stuck = summary['hosts']['stuck']
    assert stuck['status'] == 'disconnect failed' and stuck['disconnect'] == 'failed' and 'storage is open' in stuck['error']
    assert summary['failed'] == ['dead', 'gone', 'stuck'] and 'stuck' not in summary['non_operational']
    assert 'disconnect failed: stuck (datacenter_paths_disconnect_maintenance asked for it)' in report_failure(summary)
    # Check mode says it would.
    checked = datacenter_report(plan, hostvars, check_mode=True)
    assert checked['overview']['off']['missing'] == ['would be disconnected (check mode): removed ifaces 1, sessions 2']


def test_a_disconnect_the_host_play_did_not_reach_is_not_run_or_skipped_as_any_host():
    plan = with_hosts(off=('maintenance', 'disconnect'))
    assert datacenter_report(plan, HOSTVARS)['hosts']['off']['status'] == 'not run'
    skipped = datacenter_report(plan, HOSTVARS, host_play_skipped=True)
    assert skipped['hosts']['off']['status'] == 'skipped' and 'off' not in skipped['failed']
    assert skipped['overview']['off']['networks'] == {}


def test_the_page_shows_left_hosts_in_their_own_colour_with_a_legend_never_as_missing():
    page = report_html(datacenter_report(PLAN_LEFT, HOSTVARS))
    rows = re.findall(r'<tr data-host="([^"]+)" data-state="([^"]+)" data-engine-status="([^"]*)"', page)
    assert [r[0] for r in rows] == ['dead', 'gone', 'limp', 'rest', 'lost', 'new', 'far', 'good']
    assert ('rest', 'maintenance', 'maintenance') in rows and ('good', 'operational', 'up') in rows
    row = re.search(r'<tr data-host="lost".*?</tr>', page).group(0)
    assert row.count('<td class="cell c-not-connected" data-network="') == 2 and 'c-none' not in row and 'data-active' not in row
    assert '<td class="s-not-connected">not connected (engine status non_responsive)</td>' in row
    assert '<span class="c-not-connected">not connected by the engine (status maintenance' in page
    assert '.c-not-connected{background:' in page and '.s-maintenance{background:' in page
    assert 'data-count-state="maintenance" data-count="1"' in page
