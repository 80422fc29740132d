# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ovirtsdk4 import types

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._bond import (
    PortalRef, bond_facts, parse_connection_ref, plan, resolve,
)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._errors import ValidationError
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._snapshot import Connection, snapshot_from_sdk
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.engine_fixtures import (
    BOND, IQN, NFS_CONN, PORTAL_A, PORTAL_B, REQ, STOR1, STOR2, FakeLookup, sdk_dc, sdk_domains,
)


def params(**kwargs):
    base = dict(state='present', name='bond1', new_name=None, description=None,
                networks=None, storage_connections=None, storage_domains=None)
    base.update(kwargs)
    return base


def run(lookup=None, **kwargs):
    snap = snapshot_from_sdk(sdk_dc(), sdk_domains())
    actual, desired = resolve(snap, params(**kwargs), lookup or FakeLookup())
    return snap, actual, desired, plan(actual, desired, snap)


def problems(lookup=None, **kwargs):
    with pytest.raises(ValidationError) as caught:
        run(lookup, **kwargs)
    return caught.value.problems


def test_same_state_is_no_change():
    _snap, _actual, _desired, result = run(networks=['storage1'], storage_connections=[PORTAL_A], description='first')
    assert (result.action, result.changed) == ('none', False)
    assert result.diff['before'] == result.diff['after']


def test_omitted_options_leave_the_bond_alone():
    _snap, _actual, desired, result = run()
    assert not result.changed
    assert (desired.network_ids, desired.connection_ids, desired.description) == ([STOR1], [PORTAL_A], 'first')


def test_create_sends_members_and_diff_shows_names_and_portals():
    _snap, actual, desired, result = run(name='new', networks=['storage1', 'storage2'], storage_domains=['iscsi_data'])
    assert actual is None and result.action == 'create'
    assert desired.network_ids == [STOR1, STOR2]
    assert desired.connection_ids == [PORTAL_A, PORTAL_B]
    assert result.diff['before'] == {}
    assert result.diff['after'] == dict(
        name='new', description='', networks=['storage1', 'storage2'],
        storage_connections=['198.18.10.1:3260 %s' % IQN, '198.18.11.1:3260 %s' % IQN])


def test_description_change_is_a_put_of_description_only():
    _snap, _actual, _desired, result = run(description='second')
    assert result.action == 'update'
    assert result.update == dict(description='second')
    assert not (result.networks_add or result.networks_remove or result.connections_add or result.connections_remove)
    assert (result.diff['before']['description'], result.diff['after']['description']) == ('first', 'second')


def test_member_changes_go_through_sub_collections():
    _snap, _actual, _desired, result = run(networks=['storage2'], storage_connections=[PORTAL_B])
    assert result.update == {}
    assert (result.networks_add, result.networks_remove) == ([STOR2], [STOR1])
    assert (result.connections_add, result.connections_remove) == ([PORTAL_B], [PORTAL_A])
    assert result.diff['after']['networks'] == ['storage2']


def test_emptying_the_connections_of_a_bond_is_refused():
    for empty in (dict(storage_connections=[]), dict(storage_domains=[]), dict(storage_connections=[], storage_domains=[])):
        found = problems(**empty)
        assert len(found) == 1 and 'would remove every connection of iSCSI bond' in found[0] and 'state=absent' in found[0]
    # A new bond, or one without connections, loses nothing: an empty list is fine there.
    _snap, actual, desired, _result = run(name='new', networks=['storage1'], storage_connections=[])
    assert actual is None and desired.connection_ids == []


def test_absent_refuses_bad_options_like_present():
    found = problems(state='absent', new_name='a/b', networks=['nosuch'], storage_connections=[42], description='d' * 4001)
    assert len(found) == 4
    assert "new_name 'a/b' may only contain" in found[0]
    assert "network 'nosuch' does not exist" in found[2]
    # Valid options are no obstacle to removing the bond.
    _snap, _actual, desired, result = run(state='absent', networks=['storage1'], storage_connections=[])
    assert desired is None and result.action == 'remove'


def ipv6_snapshot():
    domain = types.StorageDomain(
        id='sd000000-0000-4000-8000-000000000003', name='v6', storage=types.HostStorage(type=types.StorageType.ISCSI),
        storage_connections=[types.StorageConnection(id='v6-conn', type=types.StorageType.ISCSI, address='fd00::1',
                                                     port=3260, target=IQN)])
    return snapshot_from_sdk(sdk_dc(), sdk_domains() + [domain])


def test_portals_compare_addresses_as_addresses_and_iqns_without_case():
    snap = ipv6_snapshot()
    for address in ('FD00:0:0:0::1', '[fd00::1]', 'fd00:0000::0001'):
        _actual, desired = resolve(snap, params(storage_connections=[dict(address=address, target=IQN.upper())]), FakeLookup())
        assert desired.connection_ids == ['v6-conn'], address
    result = plan(snap.bond_named('bond1'), desired, snap)
    assert result.diff['after']['storage_connections'] == ['[fd00::1]:3260 %s' % IQN]
    with pytest.raises(ValidationError) as caught:
        resolve(snap, params(storage_connections=[dict(address='fd00::2', target=IQN)]), FakeLookup())
    assert caught.value.problems == ["no iSCSI storage connection of data center 'dc1' matches [fd00::2]:3260 %s" % IQN]


def test_a_name_with_a_combining_mark_is_refused_readably():
    found = problems(name='cafe\u0301', networks=['storage1'])
    assert len(found) == 1
    assert '(not U+0301 COMBINING ACUTE ACCENT)' in found[0]
    assert "composed (Unicode NFC) as 'caf\u00e9' it is valid" in found[0]
    assert 'U+0009' in problems(name='a\tb', networks=['storage1'])[0]


def test_portal_refs_match_address_case_insensitively_with_default_port():
    _snap, _actual, desired, _result = run(storage_connections=[dict(address='198.18.11.1', target=IQN), PORTAL_A, PORTAL_A])
    assert desired.connection_ids == [PORTAL_B, PORTAL_A]


def test_ovirt_datacenter_iscsi_bonds_entry_works_unchanged():
    entry = dict(name='bond2', networks=['storage1', 'storage2'], storage_domains=['iscsi_data'], storage_connections=[PORTAL_A])
    _snap, _actual, desired, result = run(**entry)
    assert result.action == 'create' and desired.connection_ids == [PORTAL_A, PORTAL_B]


def test_rename():
    _snap, actual, desired, result = run(new_name='renamed')
    assert actual.id == BOND and desired.name == 'renamed'
    assert result.update == dict(name='renamed') and result.bond_id == BOND
    assert (result.diff['before']['name'], result.diff['after']['name']) == ('bond1', 'renamed')


def test_rename_already_done_is_no_change():
    _snap, actual, _desired, result = run(name='old-name', new_name='bond1')
    assert actual.id == BOND and not result.changed


def test_rename_onto_an_existing_name_is_refused():
    bonds = [types.IscsiBond(id=BOND, name='bond1', networks=[types.Network(id=STOR1)]),
             types.IscsiBond(id='other', name='bond2', networks=[types.Network(id=STOR2)])]
    snap = snapshot_from_sdk(sdk_dc(bonds=bonds), sdk_domains())
    with pytest.raises(ValidationError) as caught:
        resolve(snap, params(new_name='bond2'), FakeLookup())
    assert caught.value.problems == ["cannot rename iSCSI bond 'bond1' to 'bond2': data center 'dc1' already has an iSCSI bond named 'bond2'"]


def test_absent():
    _snap, _actual, desired, result = run(state='absent')
    assert desired is None and result.action == 'remove' and result.bond_id == BOND
    assert result.diff == dict(before=result.before, after={})
    _snap, _actual, _desired, result = run(state='absent', name='nope')
    assert (result.action, result.changed) == ('none', False)


def test_create_without_networks_is_refused():
    assert problems(name='new') == ["networks is required to create iSCSI bond 'new': an iSCSI bond without networks does nothing"]
    assert problems(networks=[]) == ['networks must name at least one network: an iSCSI bond without networks does nothing']


def test_unknown_network_and_network_of_another_dc():
    lookup = FakeLookup(homes={'elsewhere': ['dc2']})
    assert problems(lookup, networks=['nosuch', 'elsewhere']) == [
        "network 'nosuch' does not exist in data center 'dc1'",
        "network 'elsewhere' is not a network of data center 'dc1' (it belongs to data center 'dc2')",
    ]


def test_required_network_is_refused_only_when_added():
    assert problems(networks=['storage1', 'required_net']) == [
        "network 'required_net' is required in cluster 'cluster1' and a required network cannot be part of an iSCSI bond"]
    bond = types.IscsiBond(id=BOND, name='bond1', networks=[types.Network(id=REQ)])
    snap = snapshot_from_sdk(sdk_dc(bonds=[bond]), sdk_domains())
    _actual, desired = resolve(snap, params(networks=['required_net']), FakeLookup())
    assert desired.network_ids == [REQ]


def test_bad_connections_are_named():
    lookup = FakeLookup(connections={
        'foreign': Connection('foreign', 'iscsi', '198.18.99.1', 3260, IQN, None),
        'nfs-elsewhere': Connection('nfs-elsewhere', 'nfs', '198.18.99.2', None, None, None),
    })
    found = problems(lookup, storage_connections=[NFS_CONN, 'missing', 'foreign', 'nfs-elsewhere',
                                                  dict(address='198.18.10.1', port=3261, target=IQN)])
    assert found == [
        'storage connection %s is of type nfs, not iSCSI' % NFS_CONN,
        'storage connection missing does not exist',
        "storage connection foreign (198.18.99.1:3260 %s) is not used by any storage domain of data center 'dc1'" % IQN,
        'storage connection nfs-elsewhere is of type nfs, not iSCSI',
        "no iSCSI storage connection of data center 'dc1' matches 198.18.10.1:3261 %s" % IQN,
    ]


def test_bad_storage_domains_are_named():
    assert problems(storage_domains=['nfs_data', 'nosuch']) == [
        "storage domain 'nfs_data' is of type nfs, not iSCSI",
        "storage domain 'nosuch' is not attached to data center 'dc1'",
    ]


def test_every_problem_in_one_message():
    found = problems(name='bad name!', networks=['nosuch'], storage_connections=[42])
    assert len(found) == 3
    assert "may only contain letters" in found[0] and "' '" in found[0] and "'!'" in found[0]


@pytest.mark.parametrize('kwargs, expected', [
    (dict(name='x' * 51), "is longer than 50 characters"),
    (dict(name=''), 'must not be empty'),
    (dict(new_name='a/b'), "new_name 'a/b' may only contain"),
    (dict(description='d' * 4001), 'description is longer than 4000 characters'),
])
def test_engine_bean_checks(kwargs, expected):
    assert expected in problems(**kwargs)[0]


@pytest.mark.parametrize('item, expected', [
    (PORTAL_A, PORTAL_A),
    (dict(address='a', target='t'), PortalRef('a', 3260, 't')),
    (dict(address='a', target='t', port='3261'), PortalRef('a', 3261, 't')),
])
def test_parse_connection_ref(item, expected):
    assert parse_connection_ref(item) == expected


@pytest.mark.parametrize('item, expected', [
    (42, 'is neither a connection id nor a dict'),
    ('  ', 'empty string'),
    (dict(address='a', target='t', portal='x'), 'entry {address: a, target: t} has unknown keys portal'),
    ([1, 2], 'an entry of type list is neither'),
    (dict(target='t'), 'needs an address'),
    (dict(address='a'), 'needs a target'),
    (dict(address='a', target='t', port='http'), "port 'http' of a is not a number"),
    (dict(address='a', target='t', port=True), 'is not a number'),
    (dict(address='a', target='t', port=70000), 'out of range'),
])
def test_parse_connection_ref_rejects(item, expected):
    with pytest.raises(ValueError) as caught:
        parse_connection_ref(item)
    assert expected in str(caught.value)


def test_a_mistaken_chap_password_is_never_echoed():
    with pytest.raises(ValueError) as caught:
        parse_connection_ref(dict(address='a', target='t', password='s3cret-chap'))
    assert 's3cret-chap' not in str(caught.value) and 'unknown keys password' in str(caught.value)


def test_bond_facts_shape():
    snap = snapshot_from_sdk(sdk_dc(), sdk_domains())
    facts = bond_facts(snap, BOND, 'bond1', None, [STOR1], [PORTAL_B, 'gone'])
    assert facts == dict(
        id=BOND, name='bond1', description='', data_center=dict(id=snap.dc_id, name='dc1'),
        networks=[dict(id=STOR1, name='storage1')],
        storage_connections=[
            dict(id=PORTAL_B, address='198.18.11.1', port=3260, target=IQN, username='chapuser'),
            dict(id='gone', address=None, port=None, target=None, username=None),
        ])
