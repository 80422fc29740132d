# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The session plan, table-driven: desired sessions + what the host has -> the steps."""

from __future__ import annotations

import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import (
    AUTH_PASSWORD, PlanError, diff_of, intended_record, is_empty, make_plan, normalize_sessions, settled_record)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_runner import node_selector

T1 = 'iqn.2026-11.test:storage1'
T2 = 'iqn.2026-11.test:storage2'
COMMON = {'node.startup': 'automatic', 'node.conn[0].timeo.login_timeout': 5}


def want(iface, address, target=T1, device=None, subnet=None, network=None, **extra):
    return dict(iface=iface, address=address, target=target, subnet=subnet, network=network or iface,
                net_ifacename=device or (None if iface == 'default' else iface), **extra)


def node(iface, address, target=T1, port=3260, tpgt=1):
    return {'target': target, 'address': address, 'port': port, 'tpgt': tpgt, 'iface': iface}


def session(iface, address, target=T1, sid=1, state='LOGGED_IN'):
    return dict(node(iface, address, target), sid=sid, session_state=state)


def settings_for(entry):
    out = {k: str(v) for k, v in COMMON.items()}
    if entry.get('username'):
        out.update({'node.session.auth.authmethod': 'CHAP', 'node.session.auth.username': entry['username'],
                    AUTH_PASSWORD: entry['password']})
    else:
        out.update({'node.session.auth.authmethod': 'None', 'node.session.auth.username': ''})
    return out


def converged(desired, ifaces=None):
    """A host on which every desired session already is, with its settings."""
    desired = normalize_sessions(desired)
    return {
        'ifaces': ifaces if ifaces is not None else {d['iface']: {'name': d['iface'], 'transport': 'tcp', 'net_ifacename': d['net_ifacename']}
                                                     for d in desired if d['iface'] != 'default'},
        'nodes': [node(d['iface'], d['address'], d['target'], d['port']) for d in desired],
        'sessions': [session(d['iface'], d['address'], d['target'], sid=i) for i, d in enumerate(desired)],
        'records': {(d['target'].lower(), d['address'], d['port'], d['iface']): settings_for(d) for d in desired},
    }


EMPTY_HOST = {'ifaces': {}, 'nodes': [], 'sessions': [], 'records': {}}
NO_RECORD = {'ifaces': [], 'nodes': []}


def plan_of(desired, host, record=None, **kwargs):
    return make_plan(normalize_sessions(desired), host, record or NO_RECORD, common_settings=COMMON, **kwargs)


def logins(plan):
    return sorted((s['iface'], s['address'], s['target']) for s in plan.logins)


# Several bonds, each with its own network and portal: the engine pairs each target only with
# its bond's networks, and the plan makes exactly those.
TWO_BONDS = [want('ens4', '198.18.1.1', T1, subnet='198.18.1.0/24'), want('ens5', '198.18.2.1', T2, subnet='198.18.2.0/24')]
# Every network in one subnet: the subnet guard cannot tell them apart and tries every pair.
ONE_SUBNET = [want(i, a, T1, subnet='198.18.4.0/24') for i in ('ens4', 'ens5') for a in ('198.18.4.1', '198.18.4.2')]
# A bridged network whose bridge is not named after the network (the engine's vdsm_name).
BRIDGED = [want('ens4', '198.18.1.1', device='on0123456789abc', network='a-long-storage-network-name')]
VLAN = [want('bond0.100', '198.18.1.1', device='bond0.100')]
CHAP = [want('ens4', '198.18.1.1', T2, username='chapuser', password='s3cret')]
IPV6 = [want('ens4', 'FD00:0:0:0::1', subnet='fd00::/64')]
DEFAULT = [want('default', '198.18.1.1', network='default route')]


@pytest.mark.parametrize('desired, ifaces, expected_logins', [
    (TWO_BONDS, [('ens4', 'ens4'), ('ens5', 'ens5')], [('ens4', '198.18.1.1', T1), ('ens5', '198.18.2.1', T2)]),
    (ONE_SUBNET, [('ens4', 'ens4'), ('ens5', 'ens5')],
     [('ens4', '198.18.4.1', T1), ('ens4', '198.18.4.2', T1), ('ens5', '198.18.4.1', T1), ('ens5', '198.18.4.2', T1)]),
    (BRIDGED, [('ens4', 'on0123456789abc')], [('ens4', '198.18.1.1', T1)]),
    (VLAN, [('bond0.100', 'bond0.100')], [('bond0.100', '198.18.1.1', T1)]),
    (CHAP, [('ens4', 'ens4')], [('ens4', '198.18.1.1', T2)]),
    (IPV6, [('ens4', 'ens4')], [('ens4', 'fd00::1', T1)]),
    (DEFAULT, [], [('default', '198.18.1.1', T1)]),
], ids=['several-bonds', 'one-subnet', 'bridged', 'vlan', 'chap', 'ipv6', 'default'])
def test_first_run_creates_exactly_the_engine_sessions(desired, ifaces, expected_logins):
    plan = plan_of(desired, EMPTY_HOST)
    assert plan.create_ifaces == ifaces
    assert logins(plan) == expected_logins
    assert [s['iface'] for s in plan.create_nodes] == [s['iface'] for s in plan.logins]
    # A new record gets every setting, with the values the session needs.
    assert [values for dummy, values in plan.set_keys] == [settings_for(s) for s in plan.create_nodes]
    assert not (plan.stale_sessions or plan.stale_nodes or plan.stale_ifaces)


@pytest.mark.parametrize('desired', [TWO_BONDS, ONE_SUBNET, BRIDGED, VLAN, CHAP, IPV6, DEFAULT])
def test_rerun_on_a_converged_host_plans_nothing(desired):
    plan = plan_of(desired, converged(desired))
    assert is_empty(plan) and not plan.logins
    assert diff_of(plan) == ({}, {})


def test_chap_secret_changed_is_one_update_and_never_in_the_diff():
    host = converged(CHAP)
    plan = plan_of([dict(CHAP[0], password='n3w')], host)
    assert [values for dummy, values in plan.set_keys] == [{AUTH_PASSWORD: 'n3w'}]
    assert 'n3w' not in repr(diff_of(plan)) and 's3cret' not in repr(diff_of(plan))


def test_portal_outside_the_iface_subnet_is_unreachable_by_design_not_tried():
    desired = [want(i, a, subnet=s) for i, s in (('ens4', '198.18.1.0/24'), ('ens5', '198.18.2.0/24')) for a in ('198.18.1.1', '198.18.2.1')]
    plan = plan_of(desired, EMPTY_HOST)
    assert logins(plan) == [('ens4', '198.18.1.1', T1), ('ens5', '198.18.2.1', T1)]
    assert sorted((s['iface'], s['address']) for s in plan.unreachable) == [('ens4', '198.18.2.1'), ('ens5', '198.18.1.1')]


def test_a_portal_removed_is_logged_out_by_iface_portal_and_target_the_others_stay():
    before = [want('ens4', '198.18.1.1'), want('ens4', '198.18.1.2')]
    record = intended_record(NO_RECORD, plan_of(before, EMPTY_HOST))
    plan = plan_of(before[:1], converged(before), record)
    assert [(s['iface'], s['address']) for s in plan.stale_sessions] == [('ens4', '198.18.1.2')]
    assert [(n['iface'], n['address']) for n in plan.stale_nodes] == [('ens4', '198.18.1.2')]
    assert plan.stale_ifaces == [] and is_empty(plan)


def test_a_target_removed_goes_with_its_node_records_and_a_network_removed_with_its_iface():
    record = intended_record(NO_RECORD, plan_of(TWO_BONDS, EMPTY_HOST))
    plan = plan_of(TWO_BONDS[:1], converged(TWO_BONDS), record)
    assert [(s['iface'], s['target']) for s in plan.stale_sessions] == [('ens5', T2)]
    assert plan.stale_ifaces == ['ens5']


def test_what_the_role_did_not_make_is_never_removed_and_is_reported_as_stray():
    host = converged(TWO_BONDS)
    host['sessions'].append(session('default', '198.18.0.1', T1, sid=9))
    host['nodes'].append(node('default', '198.18.0.1', T1))
    plan = plan_of(TWO_BONDS[:1], host, NO_RECORD)
    assert not (plan.stale_sessions or plan.stale_nodes or plan.stale_ifaces)
    assert [(s['iface'], s['address']) for s in plan.stray] == [('default', '198.18.0.1')]


def test_engine_owned_host_removes_vdsm_sessions_of_the_data_center_only():
    """VDSM made them (no record): through NIC-named ifaces to the data center's targets."""
    host = converged(TWO_BONDS)
    host['sessions'] += [session('ens5', '198.18.2.1', 'iqn.2026-11.other:foreign', sid=8), session('default', '198.18.0.1', T1, sid=9)]
    host['nodes'] += [node('ens5', '198.18.2.1', 'iqn.2026-11.other:foreign'), node('default', '198.18.0.1', T1)]
    plan = plan_of(TWO_BONDS[:1], host, NO_RECORD, engine_owned=True, engine_targets=[T1, T2], host_nics=['ens3', 'ens4', 'ens5'])
    assert [(s['iface'], s['target']) for s in plan.stale_sessions] == [('ens5', T2)]
    # VDSM's ifaces stay (VDSM manages them); the foreign target and the default iface are never touched.
    assert plan.stale_ifaces == []


def test_earlier_runs_record_in_the_old_format_is_read():
    record = {'ifaces': ['ens5'], 'nodes': [{'target': T2, 'portal': '198.18.2.1:3260', 'iface': 'ens5'}]}
    plan = plan_of(TWO_BONDS[:1], converged(TWO_BONDS), record)
    assert [(n['iface'], n['target']) for n in plan.stale_nodes] == [('ens5', T2)]


def test_a_run_cut_after_recording_creates_what_is_missing_and_the_record_settles():
    """Killed after writing the record and creating ens4 only: the next run creates the rest."""
    record = intended_record(NO_RECORD, plan_of(TWO_BONDS, EMPTY_HOST))
    host = dict(EMPTY_HOST, ifaces={'ens4': {'name': 'ens4', 'transport': 'tcp', 'net_ifacename': 'ens4'}})
    plan = plan_of(TWO_BONDS, host, record)
    assert plan.create_ifaces == [('ens5', 'ens5')] and len(plan.create_nodes) == 2
    assert not (plan.stale_sessions or plan.stale_nodes or plan.stale_ifaces)
    # What it recorded and never made is dropped once the host is read again.
    assert settled_record(record, host) == {'ifaces': ['ens4'], 'nodes': []}


def test_iface_bound_elsewhere_that_the_role_did_not_make_is_refused_before_any_change():
    host = dict(EMPTY_HOST, ifaces={'ens4': {'name': 'ens4', 'transport': 'tcp', 'net_ifacename': 'ens9'}})
    with pytest.raises(PlanError, match='iface ens4 is bound to ens9, not ens4'):
        plan_of(TWO_BONDS, host)
    plan = plan_of(TWO_BONDS, host, {'ifaces': ['ens4'], 'nodes': []})
    assert plan.rebind_ifaces == [('ens4', 'ens9', 'ens4')]


@pytest.mark.parametrize('bad, message', [
    ([{'iface': 'ens4', 'address': '198.18.1.1'}], 'sessions\\[0\\] has no target'),
    ([dict(want('ens4', '198.18.1.1'), net_ifacename='')], 'needs the device it binds to'),
    ([want('ens4', '198.18.1.1', username='u')], 'CHAP needs both'),
    ([want('ens4', '198.18.1.1', subnet='nonsense')], 'not a CIDR'),
    ([want('ens4', '198.18.1.1'), want('ens4', '198.18.1.2', device='ens9')], 'iface ens4 is asked to bind to several devices'),
])
def test_bad_desired_sessions_are_refused_naming_them(bad, message):
    with pytest.raises(PlanError, match=message):
        normalize_sessions(bad)


def test_iqns_and_ipv6_addresses_compare_as_names_and_addresses():
    host = converged([want('ens4', 'fd00::1', T1.upper())])
    plan = plan_of([want('ens4', 'FD00:0:0:0::1', T1)], host)
    assert not plan.logins and not plan.create_nodes


def test_node_records_are_made_with_the_portal_group_tag_the_engine_gives_or_1():
    """Without one, open-iscsi keeps a single record per portal whatever the iface: two ifaces to
    one portal (one subnet, or default beside a NIC) would overwrite each other."""
    plan = plan_of([want('ens4', '198.18.4.1'), want('ens5', '198.18.4.1', tpgt=2)], EMPTY_HOST)
    assert [(s['iface'], s['tpgt']) for s in plan.create_nodes] == [('ens4', 1), ('ens5', 2)]


@pytest.mark.parametrize('address', ['198.18.1.1:notaport', 'bad address!', '-storage.example', '198.18.1.1:99999'])
def test_a_portal_address_that_is_no_address_or_name_is_refused(address):
    with pytest.raises(PlanError, match="sessions\\[0\\]: .* is not a portal address"):
        normalize_sessions([{'address': address, 'target': 'iqn.2026-11.example:t1'}])


@pytest.mark.parametrize('address', ['198.18.1.1', 'fd00::1', '[fd00::1]', 'storage-a.example.com'])
def test_addresses_and_names_are_portal_addresses(address):
    assert normalize_sessions([{'address': address, 'target': 'iqn.2026-11.example:t1'}])


def test_a_node_record_with_another_portal_group_tag_is_used_with_it_and_reported():
    """The engine says 1, the host's record (made by discovery, say) says 3: the record is selected
    by its own tag (iscsiadm finds it by it) and the difference is reported, with the session's origin."""
    desired = [want('ens4', '198.18.1.1', connection_id='c-a', bonds=['bond1']), want('ens5', '198.18.2.1')]
    host = converged(desired)
    host['nodes'] = [dict(host['nodes'][0], tpgt=3), dict(host['nodes'][1], tpgt=-1)]
    host['sessions'] = []
    plan = plan_of(desired, host)
    assert [(d['iface'], d['engine_tpgt'], d['host_tpgt'], d['connection_id'], d['bonds']) for d in plan.tpgt_differs] == [
        ('ens4', 1, 3, 'c-a', ['bond1'])]
    assert "portal group tag 3, the engine 1: the host's is used" in plan.tpgt_differs[0]['reason']
    # Logged in by the record's own tag; one whose tag iscsiadm did not learn (-1) without a tag.
    assert [node_selector(s, plan.record_tpgts)[4:6] for s in plan.logins] == [['-p', '198.18.1.1:3260,3'], ['-p', '198.18.2.1:3260']]
    # The session itself keeps the engine's tag; a new record is made with it.
    assert [s['tpgt'] for s in plan.logins] == [1, 1]
    assert plan_of(desired, converged(desired)).tpgt_differs == []
