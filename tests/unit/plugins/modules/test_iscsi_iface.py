# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure plan of iscsi_iface."""

from __future__ import annotations

import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import HostError
from ansible_collections.ovirt_iscsi.multipath.plugins.modules import iscsi_iface

BOUND = {'name': 'ens4', 'transport': 'tcp', 'net_ifacename': 'ens4'}


def plan(current, **wish):
    args = dict(name='ens4', net_ifacename='ens4', transport='tcp', force=False, state='present')
    args.update(wish)
    return iscsi_iface.plan_iface(current, **args)


def test_missing_iface_is_created_with_transport_and_binding():
    assert plan(None) == [('new', None, None), ('update', 'iface.transport_name', 'tcp'), ('update', 'iface.net_ifacename', 'ens4')]


def test_iface_bound_as_asked_needs_nothing():
    assert not plan(BOUND)


def test_unbound_iface_is_bound():
    assert plan(dict(BOUND, net_ifacename='')) == [('update', 'iface.net_ifacename', 'ens4')]


def test_iface_bound_elsewhere_is_refused_without_force():
    with pytest.raises(HostError, match='iface ens4 is bound to br0, not ens4: set force=true'):
        plan(dict(BOUND, net_ifacename='br0'))
    assert plan(dict(BOUND, net_ifacename='br0'), force=True) == [('update', 'iface.net_ifacename', 'ens4')]


def test_other_transport_is_refused():
    with pytest.raises(HostError, match='transport iser'):
        plan(dict(BOUND, transport='iser'))


def test_built_in_ifaces_are_never_touched():
    for name in ('default', 'iser'):
        with pytest.raises(HostError, match='built into open-iscsi'):
            plan(None, name=name, state='absent')


def test_absent():
    assert not plan(None, state='absent', net_ifacename=None)
    assert plan(BOUND, state='absent', net_ifacename=None) == [('delete', None, None)]
    with pytest.raises(HostError, match='bound to ens4, not ens5'):
        plan(BOUND, state='absent', net_ifacename='ens5')
