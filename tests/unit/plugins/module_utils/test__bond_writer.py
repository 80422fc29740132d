# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A create that lost a race with another run: joined when the bond is the wanted one, else the engine's 409."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ovirtsdk4 import types

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._bond import plan, resolve
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._bond_writer import (
    joined_plan, may_have_lost_create_race, settle_lost_create,
)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._errors import EngineError
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._snapshot import snapshot_from_sdk
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.engine_fixtures import (
    PORTAL_A, PORTAL_B, STOR1, STOR2, FakeLookup, sdk_dc, sdk_domains,
)

RACED = 'b0000000-0000-4000-8000-0000000000ff'
DUPLICATE = '[Cannot add iSCSI Bond. iSCSI bond with the same name already exists in the Data Center.]'
PARAMS = dict(state='present', data_center='dc1', name='race', new_name=None, description=None,
              networks=['storage1', 'storage2'], storage_connections=None, storage_domains=['iscsi_data'])


def duplicate_name():
    return EngineError('add iSCSI bond race to data center dc1', code=409, reason='Operation Failed', detail=DUPLICATE)


def other_runs_bond(network_ids, description='made by the other run'):
    return types.IscsiBond(id=RACED, name='race', description=description,
                           networks=[types.Network(id=i) for i in network_ids],
                           storage_connections=[types.StorageConnection(id=i) for i in (PORTAL_A, PORTAL_B)])


def read_again(bonds):
    """The snapshot after the refused create, and the task resolved against it."""
    snap = snapshot_from_sdk(sdk_dc(bonds=bonds), sdk_domains())
    actual, desired = resolve(snap, PARAMS, FakeLookup())
    return actual, desired, snap


def create_plan():
    snap = snapshot_from_sdk(sdk_dc(bonds=[]), sdk_domains())
    actual, desired = resolve(snap, PARAMS, FakeLookup())
    return plan(actual, desired, snap)


def test_only_a_refused_create_with_409_may_have_lost_a_race():
    assert may_have_lost_create_race(create_plan(), duplicate_name())
    refused = EngineError('add iSCSI bond race to data center dc1', code=400, reason='Operation Failed', detail='[x]')
    assert not may_have_lost_create_race(create_plan(), refused)
    snap = snapshot_from_sdk(sdk_dc(), sdk_domains())
    update = plan(*resolve(snap, dict(PARAMS, name='bond1'), FakeLookup()), snapshot=snap)
    assert update.action == 'update' and not may_have_lost_create_race(update, duplicate_name())


def test_the_bond_another_run_created_as_wanted_is_joined_without_a_write():
    joined = joined_plan(duplicate_name(), *read_again([other_runs_bond([STOR2, STOR1])]))
    assert (joined.action, joined.changed, joined.bond_id) == ('none', False, RACED)
    # The task gave no description: the other run's one is kept, not cleared.
    assert joined.diff['before'] == joined.diff['after']
    assert joined.after['description'] == 'made by the other run'


def test_a_bond_that_differs_fails_with_the_engines_message_and_what_differs():
    error = duplicate_name()
    with pytest.raises(EngineError) as caught:
        joined_plan(error, *read_again([other_runs_bond([STOR1])]))
    assert caught.value is error
    assert error.msg.startswith('Engine request failed while trying to add iSCSI bond race to data center dc1 (HTTP 409): '
                                'Operation Failed: ' + DUPLICATE)
    assert 'another run created iSCSI bond race meanwhile' in error.msg
    assert 'networks [storage1] there, [storage1, storage2] wanted' in error.msg
    assert 'nothing was written' in error.msg
    assert error.details['diff']['before']['networks'] == ['storage1']


def test_a_409_without_the_bond_is_the_engines_error_unchanged():
    error = duplicate_name()
    message = error.msg
    with pytest.raises(EngineError) as caught:
        joined_plan(error, *read_again([]))
    assert caught.value is error and error.msg == message and 'diff' not in error.details


class ReadsAgain:
    """The two reads of read_snapshot, answering the data center as it is after the race."""

    def __init__(self, bonds):
        self.bonds = bonds
        self.requests = []

    def data_centers_service(self):
        return self

    def storage_domains_service(self):
        return self

    def list(self, search=None, follow=None):
        self.requests.append(search)
        return [sdk_dc(bonds=self.bonds)] if len(self.requests) == 1 else sdk_domains()


def test_settling_reads_twice_and_returns_the_bond_as_it_is():
    system = ReadsAgain([other_runs_bond([STOR1, STOR2], description='theirs')])
    snap, desired, joined = settle_lost_create(system, PARAMS, FakeLookup(), duplicate_name())
    assert len(system.requests) == 2 and joined.bond_id == RACED
    assert (desired.description, sorted(desired.network_ids)) == ('theirs', sorted([STOR1, STOR2]))
    assert snap.bond_named('race').id == RACED
