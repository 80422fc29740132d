# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one session form: built, passed on, normalised once, named in the report; its argument spec
said the same way by the module, its documentation and the role."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils import _session
from ansible_collections.ovirt_iscsi.multipath.plugins.modules import iscsi_sessions
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._datacenter import role_inputs
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._sessions_input import desired_sessions

T1 = 'iqn.2026-11.test:storage1'
TOP = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..')
ENGINE = dict(iface='ens5', net_ifacename='ens5', network='iscsi-b', subnet='198.18.2.0/24', address='198.18.2.1', port=3260,
              tpgt=1, target=T1, username=None, connection_id='c-b', bond='bond1', bonds=['bond1', 'bond2'])


def test_the_engine_session_goes_from_the_plan_through_the_role_to_the_module_with_its_origin():
    networks, [given] = role_inputs({'ifaces': [], 'sessions': [ENGINE]}, {})
    [passed] = desired_sessions([given])
    assert (passed['connection_id'], passed['bonds'], passed['bond']) == ('c-b', ['bond1', 'bond2'], 'bond1')
    assert set(passed) <= set(_session.FIELDS) == set(_session.ARGUMENT_SPEC)
    [normal] = _session.normalize([passed])
    assert (normal['connection_id'], normal['bonds'], 'bond' in normal) == ('c-b', ['bond1', 'bond2'], False)


def test_bond_alone_as_older_plans_give_it_and_a_session_listed_twice_keep_every_bond():
    older = dict(ENGINE, bonds=[])
    assert _session.normalize([older])[0]['bonds'] == ['bond1']
    twice = _session.normalize([dict(ENGINE, bond=None, bonds=['bond1']), dict(ENGINE, bond='bond3', bonds=[], connection_id=None)])
    assert [(s['bonds'], s['connection_id']) for s in twice] == [(['bond1', 'bond3'], 'c-b')]


def test_the_hand_written_form_has_no_engine_origin():
    sessions = desired_sessions(None, [{'name': 'iscsi-a', 'nic': 'ens4'}], [{'iqn': T1, 'portals': ['198.18.1.1:3260,2']}])
    assert sessions == [dict(iface='ens4', network='iscsi-a', net_ifacename='ens4', address='198.18.1.1', port=3260, tpgt=2, target=T1)]
    [normal] = _session.normalize(sessions)
    assert (normal['connection_id'], normal['bonds']) == (None, [])


def test_the_controller_check_names_every_bad_entry_by_the_module_rules():
    assert _session.problems([ENGINE]) == []
    assert _session.problems([dict(ENGINE, target=''), dict(ENGINE, username='u')]) == [
        'sessions[0] has no target', 'sessions[1] (%s): CHAP needs both username and password' % T1]


def test_report_entry_names_where_and_why_and_the_engine_origin():
    [normal] = _session.normalize([ENGINE])
    assert _session.report_entry(normal, 'no logged-in session') == {
        'wwid': None, 'target': T1, 'portal': '198.18.2.1:3260', 'iface': 'ens5', 'network': 'iscsi-b',
        'reason': 'no logged-in session', 'connection_id': 'c-b', 'bonds': ['bond1', 'bond2']}


def _options(spec):
    return dict((name, dict((k, v) for k, v in option.items() if k in ('type', 'default', 'required', 'elements', 'no_log')))
                for name, option in spec.items())


@pytest.mark.parametrize('where', ['module', 'role'])
def test_the_module_documentation_and_the_role_take_the_session_as_its_spec_says(where):
    if where == 'module':
        documented = yaml.safe_load(iscsi_sessions.DOCUMENTATION)['options']['sessions']['suboptions']
    else:
        with open(os.path.join(TOP, 'roles', 'iscsi_paths', 'meta', 'argument_specs.yml'), encoding='utf-8') as handle:
            documented = yaml.safe_load(handle)['argument_specs']['main']['options']['iscsi_paths_sessions']['options']
    spec = _options(_session.ARGUMENT_SPEC)
    if where == 'module':  # a module's documentation states no_log in the spec only
        spec = dict((name, dict((k, v) for k, v in option.items() if k != 'no_log')) for name, option in spec.items())
    assert _options(documented) == spec
    assert iscsi_sessions.ARGUMENT_SPEC['sessions']['options'] is _session.ARGUMENT_SPEC
