# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan against the node records a discovery leaves (open-iscsi #58, #286; os-brick 3266fb5),
against several records of one portal (VDSM BZ 2083271, 2097614), and against sessions no storage
connection of the engine backs (ovirt-engine#982) (issue 22 items 4, 5, 7)."""

from __future__ import annotations

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import diff_of, is_empty, key_of, records_by_key
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.test__session_plan import (
    T1, T2, converged, node, plan_of, session, want)

BOND = [want('ens4', '198.18.1.1', T1, subnet='198.18.1.0/24'), want('ens5', '198.18.2.1', T1, subnet='198.18.2.0/24')]
OURS = {'ifaces': ['ens4', 'ens5'], 'nodes': []}


def with_nodes(host, *nodes):
    return dict(host, nodes=host['nodes'] + list(nodes))


def triples(nodes):
    return sorted((n['iface'], n['address'], n['target']) for n in nodes)


def test_records_a_discovery_left_to_the_bonds_targets_are_deleted():
    # sendtargets through `default` and through ens4: a record per advertised portal, with
    # iscsid.conf's startup; ens4 to 198.18.2.1 is outside its subnet (the plan does not try it).
    host = with_nodes(converged(BOND), node('default', '198.18.1.1'), node('default', '198.18.3.1'),
                      node('ens4', '198.18.2.1'), node('ens4', '198.18.3.1'))
    plan = plan_of(BOND, host, OURS)
    assert triples(plan.stray_nodes) == [('default', '198.18.1.1', T1), ('default', '198.18.3.1', T1),
                                         ('ens4', '198.18.2.1', T1), ('ens4', '198.18.3.1', T1)]
    assert not plan.logins and not plan.stale_nodes and not is_empty(plan)
    before, after = diff_of(plan)
    assert before['%s at 198.18.3.1:3260 through default' % T1] == {'node_record': True}
    assert after['%s at 198.18.3.1:3260 through default' % T1] == {}


def test_a_logged_in_records_and_others_targets_and_ifaces_stay():
    host = converged(BOND)
    host = with_nodes(host, node('default', '198.18.1.1'), node('default', '198.18.1.1', T2), node('other0', '198.18.3.1'))
    host['sessions'] = host['sessions'] + [session('default', '198.18.1.1', sid=9)]
    plan = plan_of(BOND, host, OURS)
    # default to T1 is logged in (reported as stray, never deleted), T2 is no target of the plan,
    # other0 is an iface this collection did not make.
    assert plan.stray_nodes == []
    assert triples(plan.stray) == [('default', '198.18.1.1', T1)]
    assert is_empty(plan)


def test_a_second_record_of_a_portal_keeps_the_engines_tag_and_is_said():
    host = with_nodes(converged(BOND), node('ens4', '198.18.1.1', tpgt=2))
    host['nodes'] = host['nodes'][-1:] + host['nodes'][:-1]  # the other tag listed first
    plan = plan_of(BOND, host, OURS)
    assert [(e['iface'], e['host_tpgts'], e['used_tpgt']) for e in plan.duplicate_records] == [('ens4', [1, 2], 1)]
    assert 'portal group tags 1, 2 for one portal' in plan.duplicate_records[0]['reason']
    assert 'the session of tag 1 is kept' in plan.duplicate_records[0]['reason']
    assert plan.set_keys == [] and plan.tpgt_differs == [] and plan.stray_nodes == [] and not plan.logins


def test_the_live_sessions_tag_wins_over_the_engines():
    host = with_nodes(converged(BOND), node('ens4', '198.18.1.1', tpgt=2))
    host['sessions'][0] = dict(host['sessions'][0], tpgt=2)
    plan = plan_of(BOND, host, OURS)
    assert plan.duplicate_records[0]['used_tpgt'] == 2 and plan.record_tpgts[next(iter(plan.record_tpgts))] == 2


def test_a_session_through_a_portal_no_connection_holds_is_unbacked():
    host = converged(BOND)
    host = with_nodes(host, node('ens4', '198.18.1.9'))
    host['sessions'] = host['sessions'] + [session('ens4', '198.18.1.9', sid=7), session('ens4', '198.18.1.9', T2, sid=8)]
    plan = plan_of(BOND, host, OURS)
    # T2 is no target of the plan: not the data center's business here.
    assert triples(plan.unbacked) == [('ens4', '198.18.1.9', T1)]
    assert plan.stray_nodes == [], 'its record is logged in'


def test_a_session_the_run_logs_out_is_not_unbacked():
    record = {'ifaces': ['ens4', 'ens5'], 'nodes': [{'target': T1, 'portal': '198.18.1.9:3260', 'iface': 'ens4'}]}
    host = with_nodes(converged(BOND), node('ens4', '198.18.1.9'))
    host['sessions'] = host['sessions'] + [session('ens4', '198.18.1.9', sid=7)]
    plan = plan_of(BOND, host, record)
    assert triples(plan.stale_sessions) == [('ens4', '198.18.1.9', T1)] and plan.unbacked == []


def test_records_of_one_portal_that_disagree_are_written_again():
    # iscsiadm updates every record of the portal at once (the tag in -p notwithstanding, seen in
    # the lab): the tag-2 record a discovery wrote with startup manual makes the setting unknown.
    host = with_nodes(converged(BOND), node('ens4', '198.18.1.1', tpgt=2))
    key = key_of(host['nodes'][0])
    tuned = host['records'][key]
    host['records'] = records_by_key([(n, dict(tuned, **{'node.startup': 'manual'}) if n['tpgt'] == 2 else host['records'][key_of(n)])
                                      for n in host['nodes']])
    assert host['records'][key]['node.startup'] is None
    assert host['records'][key]['node.conn[0].timeo.login_timeout'] == tuned['node.conn[0].timeo.login_timeout']
    plan = plan_of(BOND, host, OURS)
    assert [(s['iface'], values) for s, values in plan.set_keys] == [('ens4', {'node.startup': 'automatic'})]


def test_a_session_bound_to_the_device_its_iface_had_before_is_logged_in_again():
    # iscsi-a made a bridge (VM) network: iface ens4 is now to be bound to the bridge, its
    # sessions still go through ens4 (VDSM a23321ae4).
    bridged = [dict(BOND[0], net_ifacename='on0123456789abc'), BOND[1]]
    host = converged(BOND)
    host['sessions'] = [dict(s, netdev=s['iface']) for s in host['sessions']]
    plan = plan_of(bridged, host, OURS)
    assert plan.rebind_ifaces == [('ens4', 'ens4', 'on0123456789abc')]
    assert triples(plan.relogins) == [('ens4', '198.18.1.1', T1)] and not plan.logins
    # A later run (the binding written, a session kept as a last path) still sees it.
    host['ifaces']['ens4'] = dict(host['ifaces']['ens4'], net_ifacename='on0123456789abc')
    plan = plan_of(bridged, host, OURS)
    assert plan.rebind_ifaces == [] and triples(plan.relogins) == [('ens4', '198.18.1.1', T1)]
    assert triples(plan_of(BOND, converged(BOND), OURS).relogins) == [], 'no netdev read: nothing to compare'


def test_a_session_in_recovery_bound_to_the_old_device_is_logged_in_again_not_just_tried():
    # Its replies go to the bridge: the session is FREE for ever, and a login says "session exists".
    bridged = [dict(BOND[0], net_ifacename='on0123456789abc'), BOND[1]]
    host = converged(BOND)
    host['sessions'] = [dict(s, netdev=s['iface'], session_state='FREE' if s['iface'] == 'ens4' else 'LOGGED_IN')
                        for s in host['sessions']]
    plan = plan_of(bridged, host, OURS)
    assert triples(plan.relogins) == [('ens4', '198.18.1.1', T1)] and plan.logins == []
