# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iscsi_target: portal selection, settings, the per-portal plan, its execution and its diff."""

from __future__ import annotations

import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils import _iscsi_target as target_utils
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import HostError
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import IscsiadmError

IQN = 'iqn.2026-11.test.ovirt-iscsi-lab:storage2'
SECRET = 'Sup3rSecretChap'
SETTINGS = target_utils.desired_settings(startup='automatic', username='labchap', password=SECRET)
NODE = {'target': IQN, 'address': '198.18.1.1', 'port': 3260, 'tpgt': 1, 'iface': 'ens4'}
SESSION = dict(NODE, sid=3, session_state='LOGGED_IN')
RECORD_OK = {'node.startup': 'automatic', 'node.session.auth.authmethod': 'CHAP',
             'node.session.auth.username': 'labchap', 'node.session.auth.password': SECRET}


def test_select_portals_keeps_the_subnet_and_parses_ports():
    selected, skipped = target_utils.select_portals(['198.18.1.1', '198.18.2.1:3261', '[fd00::1]:3260', 'san.example'],
                                                    '198.18.1.11/24')
    assert selected == [('198.18.1.1', 3260), ('san.example', 3260)]
    assert skipped == [('198.18.2.1', 3261), ('fd00::1', 3260)]
    assert target_utils.select_portals(['198.18.2.1'], None) == ([('198.18.2.1', 3260)], [])


def test_settings_without_chap_switch_it_off_and_extra_keys_are_checked():
    plain = target_utils.desired_settings(startup='automatic', username=None, password=None,
                                          extra={'node.session.timeo.replacement_timeout': 5})
    assert plain == {'node.session.timeo.replacement_timeout': '5', 'node.startup': 'automatic',
                     'node.session.auth.authmethod': 'None', 'node.session.auth.username': ''}
    with pytest.raises(HostError, match='node_settings: node.startup is not a node record key it may set'):
        target_utils.desired_settings(startup='manual', username=None, password=None, extra={'node.startup': 'automatic'})


@pytest.mark.parametrize('portals, subnet, message', [
    (['198.18.1.1:x'], None, 'not an iSCSI portal'),
    (['198.18.1.1'], '198.18.1.0/33', 'does not appear to be an IPv4 or IPv6 network'),
])
def test_bad_portals_and_subnets_are_host_errors(portals, subnet, message):
    with pytest.raises(HostError, match=message):
        target_utils.select_portals(portals, subnet)


def plan(state='present', nodes=(), sessions=(), record=None):
    wanted = {'target': IQN, 'address': '198.18.1.1', 'port': 3260, 'iface': 'ens4'}
    return target_utils.plan_portal(state=state, node=target_utils.find(nodes, **wanted), session=target_utils.find(sessions, **wanted),
                                    record=record, settings=SETTINGS)


def test_plan_new_portal_discovers_creates_sets_and_logs_in():
    steps = plan()
    assert steps[:2] == [('discover',), ('create',)]
    assert ('set', 'node.session.auth.password') in steps and steps[-1] == ('login',)


def test_plan_nothing_when_record_and_session_match():
    assert plan(nodes=[NODE], sessions=[SESSION], record=RECORD_OK) == []


def test_plan_changed_secret_is_one_set_step():
    steps = plan(nodes=[NODE], sessions=[SESSION], record=dict(RECORD_OK, **{'node.session.auth.password': 'old'}))
    assert steps == [('set', 'node.session.auth.password')]


def test_plan_ignores_records_and_sessions_of_other_ifaces():
    other = dict(NODE, iface='default')
    steps = plan(nodes=[other], sessions=[dict(SESSION, iface='default')], record=None)
    assert ('create',) in steps and ('login',) in steps
    assert plan(state='absent', nodes=[other], sessions=[dict(SESSION, iface='default')]) == []


def test_plan_absent_logs_out_by_sid_then_deletes():
    assert plan(state='absent', nodes=[NODE], sessions=[SESSION]) == [('logout', 3), ('delete',)]


def test_diff_never_carries_the_secret():
    plans = [{'node': NODE, 'found': NODE, 'session': SESSION, 'record': dict(RECORD_OK, **{'node.session.auth.password': 'old'}),
              'steps': [('set', 'node.session.auth.password')]}]
    before, after = target_utils.diff_of(plans, IQN, SETTINGS)
    assert SECRET not in repr((before, after)) and 'old' not in repr(before)
    assert after['198.18.1.1:3260 via ens4']['auth_password'] == '(changed, not shown)'
    assert before['198.18.1.1:3260 via ens4']['logged_in'] is True


class FakeIscsiadm:
    """Scripted iscsiadm: reads return what a host had, writes are recorded (or fail)."""

    def __init__(self, nodes=(), sessions=(), record=None, discovery='', fail=None):
        self._nodes, self._sessions, self._record = list(nodes), list(sessions), record
        self.discovery = discovery
        self.fail = fail or {}
        self.writes = []

    def nodes(self, warn=None):
        return self._nodes

    def sessions(self, warn=None):
        return self._sessions

    def node_record(self, node, show_secrets=False):
        assert show_secrets
        return self._record

    def run(self, args, what, ok_rcs=(0,)):
        self.writes.append(args)
        for word, rc in self.fail.items():
            if word in args and rc not in ok_rcs:
                raise IscsiadmError('%s failed (iscsiadm rc %d): boom' % (what, rc), rc=rc)
        return 0, self.discovery if '-t' in args else ''


class Module:
    warn = staticmethod(lambda msg: None)


def manager(fake, state='present'):
    return target_utils.TargetManager(fake, Module(), target=IQN, state=state, settings=SETTINGS, discover=True)


ENS4 = [('ens4', [('198.18.1.1', 3260)])]


def test_apply_discovers_tpgt_then_creates_the_record_for_this_target_only():
    fake = FakeIscsiadm(discovery='198.18.1.1:3260,7 %s\n198.18.1.1:3260,7 iqn.other:t\n' % IQN)
    mgr = manager(fake)
    (plan_,) = mgr.plan(ENS4)
    assert plan_['node']['tpgt'] == 7 and len(fake.writes) == 1  # discovery, while planning
    mgr.apply(plan_)
    assert fake.writes[0] == ['-m', 'discovery', '-t', 'sendtargets', '-p', '198.18.1.1:3260', '-I', 'ens4', '-o', 'nonpersistent']
    assert fake.writes[1] == ['-m', 'node', '-T', IQN, '-p', '198.18.1.1:3260,7', '-I', 'ens4', '-o', 'new']
    assert fake.writes[-1][-1] == '--login'
    assert not any('iqn.other:t' in w for w in fake.writes)


def test_planning_fails_naming_portal_target_and_iface_when_not_offered():
    fake = FakeIscsiadm(discovery='198.18.1.1:3260,1 iqn.other:t\n')
    mgr = manager(fake)
    with pytest.raises(IscsiadmError, match=r'portal 198.18.1.1:3260 does not offer target %s through iface ens4 \(it offers: iqn.other:t\)' % IQN):
        mgr.plan(ENS4)


class OffersPerIface(FakeIscsiadm):
    """Discovery through ens4 finds the target, through ens5 another one."""

    def run(self, args, what, ok_rcs=(0,)):
        rc, out = super().run(args, what, ok_rcs)
        if '-t' in args:
            out = '%s:3260,1 %s\n' % (args[args.index('-p') + 1].rsplit(':', 1)[0], IQN if 'ens4' in args else 'iqn.other:t')
        return rc, out


def test_every_iface_is_planned_before_the_first_write():
    fake = OffersPerIface()
    with pytest.raises(IscsiadmError, match='does not offer target %s through iface ens5' % IQN):
        manager(fake).plan([('ens4', [('198.18.1.1', 3260)]), ('ens5', [('198.18.2.1', 3260)])])
    assert all(args[:2] == ['-m', 'discovery'] for args in fake.writes)


def test_a_portal_asked_twice_through_one_iface_is_refused_before_any_write():
    fake = FakeIscsiadm(nodes=[NODE], sessions=[SESSION], record=RECORD_OK)
    with pytest.raises(HostError, match='portal 198.18.1.1:3260 is asked twice through iface ens4'):
        manager(fake).plan([('ens4', [('198.18.1.1', 3260), ('198.18.1.1', 3260)])])
    assert fake.writes == []


def test_apply_reports_wrong_chap_secret_clearly():
    fake = FakeIscsiadm(nodes=[NODE], record=RECORD_OK, fail={'--login': 24})
    mgr = manager(fake)
    with pytest.raises(IscsiadmError) as caught:
        mgr.apply(mgr.plan(ENS4)[0])
    assert caught.value.msg == ('CHAP authentication failed logging in to target %s at portal 198.18.1.1:3260 through iface ens4: '
                                'check the username and password' % IQN)


def test_apply_absent_touches_only_this_iface():
    fake = FakeIscsiadm(nodes=[NODE, dict(NODE, iface='default')], sessions=[SESSION, dict(SESSION, iface='default', sid=9)])
    mgr = manager(fake, state='absent')
    mgr.apply(mgr.plan(ENS4)[0])
    assert fake.writes == [['-m', 'session', '-r', '3', '-u'],
                           ['-m', 'node', '-T', IQN, '-p', '198.18.1.1:3260,1', '-I', 'ens4', '-o', 'delete']]


def test_find_matches_records_as_node_key_does():
    record = dict(NODE, target=IQN.upper(), address='FD00::0001', iface='ens4')
    assert target_utils.find([record], target=IQN, address='fd00::1', port=3260, iface='ens4') is record
    assert target_utils.find([record], target=IQN, address='fd00::1', port=3260, iface='ens5') is None
    assert target_utils.find([{'target': IQN, 'iface': 'ens4'}], target=IQN, address='198.18.1.1', port=3260, iface='ens4') is None


def test_settings_are_the_ones_iscsi_sessions_writes():
    from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import node_settings
    assert SETTINGS == node_settings({'username': 'labchap', 'password': SECRET}, {'node.startup': 'automatic'})
