# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine modules' documentation, argument specs and RETURN agree with each other."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from ansible_collections.ovirt_iscsi.multipath.plugins.doc_fragments.engine import ModuleDocFragment
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils import _session
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._engine import AUTH_SPEC
from ansible_collections.ovirt_iscsi.multipath.plugins.modules import iscsi_bond, iscsi_bond_info


@pytest.mark.parametrize('module', [iscsi_bond, iscsi_bond_info])
def test_documented_options_are_the_argument_spec(module):
    documented = set(yaml.safe_load(module.DOCUMENTATION)['options'])
    assert documented | set(['auth']) == set(module.ARGUMENT_SPEC)
    for name, doc in yaml.safe_load(module.DOCUMENTATION)['options'].items():
        spec = module.ARGUMENT_SPEC[name]
        assert doc['type'] == spec['type'], name
        assert doc.get('default') == spec.get('default'), name
        assert doc.get('required', False) == spec.get('required', False), name
        assert doc.get('choices') == spec.get('choices'), name


def test_auth_fragment_documents_every_auth_key():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']['auth']['suboptions']
    assert set(documented) == set(AUTH_SPEC['options'])
    for name, doc in documented.items():
        assert doc['type'] == AUTH_SPEC['options'][name]['type'], name
        assert doc.get('default') == AUTH_SPEC['options'][name].get('default'), name


def test_return_documents_the_host_plan_keys_the_host_role_reads():
    host_plan = yaml.safe_load(iscsi_bond_info.RETURN)['host_plan']['contains']
    assert set(host_plan) == set(['id', 'name', 'address', 'status', 'cluster', 'bonds', 'ifaces', 'sessions', 'data_center_targets'])
    assert set(host_plan['ifaces']['contains']) == set(['name', 'nic', 'network', 'net_ifacename', 'bridged', 'ip', 'subnet'])
    # The one session form (_session), but for the CHAP password the engine never returns.
    assert set(host_plan['sessions']['contains']) == set(_session.FIELDS) - set(['password'])
    assert 'password' not in iscsi_bond_info.RETURN.lower().replace('never a password', '').replace('password is never', '')
