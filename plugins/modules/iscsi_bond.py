#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: iscsi_bond
short_description: Manage the iSCSI bonds (iSCSI multipathing) of an oVirt data center
version_added: 0.1.0
description:
  - Creates, updates, renames and removes an iSCSI bond of an oVirt data center.
    A bond groups logical networks and iSCSI storage connections; hosts of the
    data center then log in to every connection through every network of the bond.
  - The options O(name), O(networks), O(storage_domains) and O(storage_connections) take the same
    values as one entry of the C(iscsi_bonds) option of C(ovirt.ovirt.ovirt_datacenter), so such
    lists can be looped over unchanged (see the examples). Unlike that option, this module changes
    only what differs, never removes and re-creates a bond, writes nothing in check mode, and
    resolves networks inside the bond's data center only.
  - Members are added and removed one by one through the bond's C(networks) and
    C(storageserverconnections) sub-collections; the engine appends members sent in an update,
    so updates carry only the name and description.
  - Every input is checked before the first write; the task fails with one message that names each
    offending value, and the engine is left unchanged.
  - Changing a bond does not log hosts out of removed paths; the engine never disconnects sessions.
    Hosts pick up removed networks after maintenance and activation.
  - Two runs may ensure the same bond at once (AWX job slices, parallel plays). When the engine refuses this
    task's create because another run created the bond since this task read (HTTP 409), the task reads again.
    If that bond is the one this task wants, the task succeeds with C(changed=false) and
    RV(created_by_another_run=true); this run wrote nothing, and the other run reports the change. If the bond
    differs, the task fails with the engine's message and what differs, and writes nothing; it does not
    undo the other run's work while that run may still be writing; run it again to make the bond match.
author:
  - ovirt_iscsi.multipath contributors (!UNKNOWN)
extends_documentation_fragment:
  - ovirt_iscsi.multipath.engine
  - ovirt_iscsi.multipath.attributes
  - ovirt_iscsi.multipath.attributes.actiongroup_engine
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff shows the name, description, network names and connection portals (C(address:port target),
        C([address]:port target) for IPv6), never ids.
      - A task whose writes fail half way reports C(changed) and the diff of what the engine already holds.
  idempotent:
    support: full
options:
  state:
    description:
      - V(present) creates the bond or makes it match; V(absent) removes it.
      - The other options are checked with V(absent) too; an invalid one fails the task and nothing is removed.
    type: str
    choices: [present, absent]
    default: present
  data_center:
    description:
      - Name or id of the data center that holds the bond.
    type: str
    required: true
  name:
    description:
      - Name of the bond (the engine compares names case-sensitively).
      - 1 to 50 letters, digits, V(.), V(_) or V(-).
    type: str
    required: true
  new_name:
    description:
      - Rename the bond O(name) to this name. If O(name) does not exist but O(new_name) does,
        the rename is already done and nothing changes; if neither exists, the bond is created as O(new_name).
      - Fails if both names exist in the data center.
    type: str
  description:
    description:
      - Description of the bond; V("") clears it. Unchanged when omitted.
    type: str
  networks:
    description:
      - Names of the logical networks of the data center that the bond uses; the exact set.
      - Required to create a bond; a network that is required in any cluster cannot join.
      - Unchanged when omitted; an empty list is refused (a bond without networks does nothing).
    type: list
    elements: str
  storage_connections:
    description:
      - iSCSI storage connections of the data center that join the bond, each given as a connection id
        or as a dict with C(address), C(port) (default V(3260)) and C(target).
      - Addresses are compared as addresses (V(fd00::1) is V(FD00:0:0:0::1), brackets allowed) and target IQNs
        without regard to case, as iSCSI names are (RFC 3722).
      - Together with the connections of O(storage_domains) this is the exact set of the bond's
        connections. When both options are omitted, the connections are left unchanged.
      - Naming no connection at all (for example two empty lists) is refused on a bond that has connections,
        since it would cut every path; use O(state=absent) to remove the bond.
    type: list
    elements: raw
  storage_domains:
    description:
      - Names of iSCSI storage domains of the data center; all their iSCSI connections join the bond.
    type: list
    elements: str
notes:
  - An idempotent run costs two engine requests after the login, whatever the number of networks, connections and bonds.
seealso:
  - module: ovirt_iscsi.multipath.iscsi_bond_info
'''

EXAMPLES = r'''
# The names below are those of the engine simulator's default data, so that
# scripts/test-integration runs these examples as they are.
- name: Bond two storage networks to every connection of an iSCSI storage domain
  ovirt_iscsi.multipath.iscsi_bond:
    auth:
      url: "{{ engine_url }}"
      username: admin@internal
      password: "{{ engine_password }}"
      ca_file: "{{ engine_ca_file }}"
    data_center: Default
    name: multipath
    description: Two paths to the SAN
    networks:
      - iscsi-a
      - iscsi-b
    storage_domains:
      - iscsi-data

- name: Manage bonds with auth set once for the action group
  module_defaults:
    group/ovirt_iscsi.multipath.multipath:
      auth:
        url: "{{ engine_url }}"
        username: admin@internal
        password: "{{ engine_password }}"
        ca_file: "{{ engine_ca_file }}"
  block:
    - name: Bond one network to one portal
      ovirt_iscsi.multipath.iscsi_bond:
        data_center: Default
        name: single
        networks: [iscsi-a]
        storage_connections:
          - address: 198.18.1.100
            port: 3260
            target: iqn.2026-01.test.sim:storage

    - name: Rename it
      ovirt_iscsi.multipath.iscsi_bond:
        data_center: Default
        name: single
        new_name: single-path

    - name: Create the bonds of an ovirt.ovirt.ovirt_datacenter iscsi_bonds list, unchanged
      ovirt_iscsi.multipath.iscsi_bond:
        data_center: Default
        name: "{{ item.name }}"
        networks: "{{ item.networks }}"
        storage_domains: "{{ item.storage_domains | default(omit) }}"
        storage_connections: "{{ item.storage_connections | default(omit) }}"
      loop: "{{ iscsi_bonds }}"
      loop_control:
        label: "{{ item.name }}"
      vars:
        iscsi_bonds:
          - name: bond1
            networks: [iscsi-a, iscsi-b]
            storage_domains: [iscsi-data]
          - name: bond2
            networks: [iscsi-b]
            storage_connections: [{address: 198.18.2.100, target: "iqn.2026-01.test.sim:storage"}]

    - name: Remove the bonds
      ovirt_iscsi.multipath.iscsi_bond:
        data_center: Default
        name: "{{ item }}"
        state: absent
      loop: [multipath, single-path, bond1, bond2]
'''

RETURN = r'''
created_by_another_run:
  description:
    - V(true) when another run created the bond between this task's read and its own create, and that
      bond is the one this task wants; the task then wrote nothing and C(changed) is V(false).
  returned: always
  type: bool
  sample: false
iscsi_bond:
  description:
    - The bond as it is after the task (as it would be, in check mode); empty once removed.
    - RV(iscsi_bond.id) is V(null) for a bond that check mode would create.
  returned: always
  type: dict
  contains:
    id:
      description: Id of the bond.
      type: str
      sample: 5f9c3c1e-0d6b-4a53-9b1e-2a1c2d3e4f50
    name:
      description: Name of the bond.
      type: str
      sample: multipath
    description:
      description: Description of the bond (V("") when it has none).
      type: str
      sample: Two paths to the SAN
    data_center:
      description: The data center, C(id) and C(name).
      type: dict
      sample: {id: 1e2d3c4b-0000-4000-8000-000000000001, name: Default}
    networks:
      description: The bond's networks, each with C(id) and C(name).
      type: list
      elements: dict
      sample: [{id: 2f3e4d5c-0000-4000-8000-000000000002, name: storage1}]
    storage_connections:
      description:
        - The bond's connections, each with C(id), C(address), C(port), C(target) and C(username)
          (the CHAP user; the engine never returns passwords).
      type: list
      elements: dict
      sample: [{id: 3a4b5c6d-0000-4000-8000-000000000003, address: 198.18.10.1, port: 3260,
                target: "iqn.2026-01.example:storage", username: null}]
'''

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._bond import bond_facts, plan, resolve
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._bond_writer import (
    EngineLookup, apply_plan, may_have_lost_create_race, settle_lost_create,
)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._engine import (
    EngineModule, engine_argument_spec, run_engine_module,
)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._errors import EngineError
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._snapshot import read_snapshot

ARGUMENT_SPEC = engine_argument_spec(
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    data_center=dict(type='str', required=True),
    name=dict(type='str', required=True),
    new_name=dict(type='str'),
    description=dict(type='str'),
    networks=dict(type='list', elements='str'),
    storage_connections=dict(type='list', elements='raw'),
    storage_domains=dict(type='list', elements='str'),
)


def run(module, session):
    """Read (2 requests), validate, plan, and write only what differs."""
    params = module.params
    lookup = EngineLookup(session.system)
    snapshot = read_snapshot(session.system, params['data_center'])
    actual, desired = resolve(snapshot, params, lookup)
    bond_plan = plan(actual, desired, snapshot)
    bond_id, joined = bond_plan.bond_id, False
    if bond_plan.changed and not module.check_mode:
        try:
            bond_id = apply_plan(session.system, snapshot, bond_plan, desired)
        except EngineError as error:
            if not may_have_lost_create_race(bond_plan, error):
                raise
            snapshot, desired, bond_plan = settle_lost_create(session.system, params, lookup, error)
            bond_id, joined = bond_plan.bond_id, True
    result = dict(changed=bond_plan.changed, created_by_another_run=joined, iscsi_bond={})
    if desired is not None:
        result['iscsi_bond'] = bond_facts(snapshot, bond_id, desired.name, desired.description,
                                          desired.network_ids, desired.connection_ids)
    if module._diff:
        result['diff'] = bond_plan.diff
    return result


def main():
    run_engine_module(EngineModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True), run)


if __name__ == '__main__':
    main()
