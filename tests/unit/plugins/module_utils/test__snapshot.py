# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ovirtsdk4 as sdk
import pytest
from ovirtsdk4 import types

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._errors import EngineError, ValidationError
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._snapshot import (
    _search_value, assume_bonds, check_assumed_connections, read_connection, read_data_center, snapshot_from_sdk,
)

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


def test_assumed_bonds_take_plain_names_and_ids_and_refuse_other_shapes_without_a_traceback():
    snap = snapshot_from_sdk(sdk_dc(), sdk_domains())
    bonds = assume_bonds(snap, [], [dict(name='x1', networks=['storage1'], storage_connections=[PORTAL_A])])
    assert [(b.network_ids, b.connection_ids) for b in bonds] == [([STOR1], [PORTAL_A])]
    with pytest.raises(ValidationError) as caught:
        assume_bonds(snap, [], [dict(name='x2', networks='storage1'), dict(name='x3', networks=[42, dict(id=[1])]),
                                dict(name='x4', storage_connections='abc'), 'not-a-dict'])
    assert caught.value.problems == [
        'assume_bonds[0] (x2): networks must be a list, not str',
        'assume_bonds[1] (x3): each network is a name or a dict with id or name, not 42',
        "assume_bonds[1] (x3): each network is a name or a dict with id or name, not {'id': [1]}",
        'assume_bonds[2] (x4): storage_connections must be a list, not str',
        'assume_bonds[3] has no name',
    ]


class FakeSystem:
    """Only the list of every storage connection, which explains unknown ids."""

    def __init__(self, connections):
        self.connections = connections
        self.requests = 0

    def storage_connections_service(self):
        return self

    def list(self):
        self.requests += 1
        return self.connections


def test_assumed_connections_must_exist_and_be_iscsi():
    snap = snapshot_from_sdk(sdk_dc(), sdk_domains())
    loose = types.StorageConnection(id='loose', type=types.StorageType.ISCSI, address='198.18.10.9', port=3260, target='iqn.x')
    system = FakeSystem([loose])
    check_assumed_connections(system, snap, [dict(name='a', storage_connections=[dict(id=PORTAL_A), 'loose'])])
    assert system.requests == 1 and snap.connections['loose'].address == '198.18.10.9'
    with pytest.raises(ValidationError) as caught:
        check_assumed_connections(FakeSystem([]), snap, [
            dict(name='b', storage_connections=['0badc0de-0000-4000-8000-000000000000', NFS_CONN]),
            dict(name='gone', state='absent', storage_connections=['ignored'])])
    assert caught.value.problems == [
        'assume_bonds[0] (b): storage connection 0badc0de-0000-4000-8000-000000000000 does not exist',
        'assume_bonds[0] (b): storage connection %s is of type nfs, not iSCSI' % NFS_CONN,
    ]
    check_assumed_connections(FakeSystem([]), snap, [dict(name='c', storage_connections=[PORTAL_B])])


def test_search_values_are_quoted_and_cannot_break_out():
    assert _search_value('Default') == '"Default"'
    assert _search_value('De"fault') == '"De*fault"'
    assert _search_value('a\\" or name=*') == '"a** or name=*"'


def test_ipv6_portals_are_bracketed():
    domain = types.StorageDomain(id='sd6', name='v6', storage=types.HostStorage(type=types.StorageType.ISCSI),
                                 storage_connections=[types.StorageConnection(
                                     id='v6', type=types.StorageType.ISCSI, address='fd00::1', port=3260, target='iqn.x')])
    snap = snapshot_from_sdk(sdk_dc(), [domain])
    assert snap.connection_label('v6') == '[fd00::1]:3260 iqn.x'


def sdk_error(code):
    error = (sdk.NotFoundError if code == 404 else sdk.Error)('HTTP response code is %d.' % code)
    error.code, error.fault = code, None
    return error


class Answers:
    """A service whose get() and list() answer in turn from ``answers`` (an SDK error is raised)."""

    def __init__(self, *answers):
        self.answers = list(answers)

    def _next(self, **_kwargs):
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    get = list = _next

    def data_center_service(self, _id):
        return self

    storage_connection_service = data_center_service


class AnsweringSystem:
    """Every service is the one ``Answers``."""

    def __init__(self, service):
        self.service = service

    def data_centers_service(self):
        return self.service

    storage_connections_service = data_centers_service


UUID = '5f9c3c1e-0d6b-4a53-9b1e-2a1c2d3e4f50'


def test_a_data_center_named_like_an_id_is_searched_by_name_after_a_404():
    named = types.DataCenter(id=DC, name=UUID)
    assert read_data_center(AnsweringSystem(Answers(sdk_error(404), [named])), UUID) is named


def test_other_engine_errors_reading_a_data_center_by_id_are_not_hidden():
    with pytest.raises(EngineError) as caught:
        read_data_center(AnsweringSystem(Answers(sdk_error(500))), UUID)
    assert caught.value.code == 500


def test_a_connection_id_the_engine_does_not_know_reads_as_none():
    assert read_connection(AnsweringSystem(Answers(sdk_error(404))), UUID) is None
    with pytest.raises(EngineError):
        read_connection(AnsweringSystem(Answers(sdk_error(503))), UUID)
