# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ovirtsdk4 import types

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._errors import ValidationError
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._snapshot import assume_bonds, snapshot_from_sdk

from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.engine_fixtures import (
    BOND, CL, DC, MGMT, NFS_CONN, PORTAL_A, PORTAL_B, REQ, STOR1, STOR2, sdk_dc, sdk_domains,
)


def test_snapshot_keeps_ids_names_and_required_flags():
    snap = snapshot_from_sdk(sdk_dc(), sdk_domains())
    assert (snap.dc_id, snap.dc_name) == (DC, 'dc1')
    assert snap.network_named('storage2').vlan_id == 100
    assert snap.clusters[CL].required_ids == frozenset([MGMT, REQ])
    assert snap.clusters[CL].network_ids == frozenset([MGMT, STOR1, STOR2, REQ])
    assert snap.required_in(REQ) == ['cluster1']
    assert snap.required_in(STOR1) == []
    bond = snap.bond_named('bond1')
    assert (bond.id, bond.network_ids, bond.connection_ids) == (BOND, [STOR1], [PORTAL_A])
    assert snap.bond_named('BOND1') is None  # the engine compares names case-sensitively


def test_connections_come_from_the_domains_with_type_and_portal():
    snap = snapshot_from_sdk(sdk_dc(), sdk_domains())
    assert snap.domains['iscsi_data'].storage_type == 'iscsi'
    assert snap.domains['iscsi_data'].connection_ids == [PORTAL_A, PORTAL_B]
    assert snap.connections[NFS_CONN].type == 'nfs'
    assert [c.id for c in snap.iscsi_connections()] == [PORTAL_A, PORTAL_B]
    assert snap.connection_label(PORTAL_B) == '198.18.11.1:3260 iqn.2026-01.test:lun'
    assert snap.connection_label('unknown-id') == 'unknown-id'
    assert snap.connections[PORTAL_B].username == 'chapuser'


def test_bond_connection_list_without_href_is_read_inline():
    # The SDK leaves bond.storage_connections without an href (the engine's
    # rel is storageserverconnections): the ids must come from the inline list.
    bond = types.IscsiBond(id=BOND, name='b', storage_connections=[types.StorageConnection(id=PORTAL_B)])
    assert getattr(bond.storage_connections, 'href', None) is None
    snap = snapshot_from_sdk(sdk_dc(bonds=[bond]), [])
    assert snap.bonds[0].connection_ids == [PORTAL_B]
    assert snap.bonds[0].network_ids == []


def test_empty_data_center():
    snap = snapshot_from_sdk(types.DataCenter(id=DC, name='empty'), None)
    assert snap.bonds == [] and not snap.networks and not snap.domains and not snap.connections


def test_assumed_bond_replaces_the_one_of_its_name_and_new_ones_are_added():
    snap = snapshot_from_sdk(sdk_dc(), sdk_domains())
    would_be = dict(id=BOND, name='bond1', description='', networks=[dict(id=STOR1, name='storage1'), dict(name='storage2')],
                    storage_connections=[dict(id=PORTAL_A), dict(id=PORTAL_B)])
    new = dict(id=None, name='a-new', networks=[dict(id=STOR2)], storage_connections=[dict(id=PORTAL_B)])
    bonds = assume_bonds(snap, snap.bonds, [would_be, new])
    assert [(b.name, b.id, b.network_ids, b.connection_ids) for b in bonds] == [
        ('a-new', None, [STOR2], [PORTAL_B]),
        ('bond1', BOND, [STOR1, STOR2], [PORTAL_A, PORTAL_B]),
    ]
    assert snap.bond_named('bond1').network_ids == [STOR1]  # the snapshot itself is left as read


def test_assumed_absent_bond_is_left_out_and_nothing_assumed_changes_nothing():
    snap = snapshot_from_sdk(sdk_dc(), sdk_domains())
    assert assume_bonds(snap, snap.bonds, [dict(name='bond1', state='absent')]) == []
    assert assume_bonds(snap, snap.bonds, []) == snap.bonds


def test_assumed_bonds_with_unknown_networks_or_no_name_are_refused_all_at_once():
    snap = snapshot_from_sdk(sdk_dc(), sdk_domains())
    with pytest.raises(ValidationError) as caught:
        assume_bonds(snap, snap.bonds, [dict(networks=[]), dict(name='b', networks=[dict(name='nope')]),
                                        dict(name='c', storage_connections=[dict(address='198.18.1.1')])])
    assert caught.value.problems == [
        'assume_bonds[0] has no name',
        'assume_bonds[1] (b): no network nope in data center dc1',
        'assume_bonds[2] (c): every storage connection needs its id',
    ]
