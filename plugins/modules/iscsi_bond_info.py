#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: iscsi_bond_info
short_description: Show the iSCSI bonds of an oVirt data center and what they mean on each host
version_added: 0.1.0
description:
  - Lists the iSCSI bonds of a data center (or one bond), with network names and connection portals.
  - With O(host_plan=true), also computes for every host of the data center the iSCSI ifaces and
    sessions the engine would have VDSM set up for those bonds, the way the engine expands a bond
    (one session per connection and per host NIC carrying a bond network that is attached to the
    host's cluster; the C(default) iface when the host carries none of the bond's networks).
    This is what the collection's host role consumes.
  - Iface names follow VDSM, the iface is named after the NIC (V(eth1), V(eth1.100), V(bond1)) and its
    C(net_ifacename) is the network's bridge when the NIC is bridged, else the NIC.
  - It costs at most four engine requests after the login, whatever the number of bonds and hosts.
author:
  - ovirt_iscsi.multipath contributors (!UNKNOWN)
extends_documentation_fragment:
  - ovirt_iscsi.multipath.engine
  - ovirt_iscsi.multipath.attributes
  - ovirt_iscsi.multipath.attributes.actiongroup_engine
  - ovirt_iscsi.multipath.attributes.info_module
options:
  data_center:
    description:
      - Name or id of the data center.
    type: str
    required: true
  name:
    description:
      - Only the bond of this name; the result is empty if there is none.
    type: str
  host_plan:
    description:
      - Also return RV(host_plan), the per-host ifaces and sessions.
    type: bool
    default: false
  assume_bonds:
    description:
      - Bonds to show and plan with in place of the engine's bonds of the same name, as
        M(ovirt_iscsi.multipath.iscsi_bond) returns them (its RV(ovirt_iscsi.multipath.iscsi_bond#module:iscsi_bond)).
      - For check mode, where M(ovirt_iscsi.multipath.iscsi_bond) writes nothing; the result then shows
        what the data center would look like with those bonds. An entry with C(name) and C(state=absent) leaves
        that bond out.
      - Networks are matched by C(id), else C(name), and may be given as plain names; connections by C(id),
        and may be given as plain ids. Every entry is checked first; a network not in the data center,
        or a connection id the engine does not have or that is not iSCSI, fails the task.
    type: list
    elements: dict
    default: []
seealso:
  - module: ovirt_iscsi.multipath.iscsi_bond
'''

EXAMPLES = r'''
- name: Show the bonds of a data center and the plan for every host
  ovirt_iscsi.multipath.iscsi_bond_info:
    auth:
      url: "{{ engine_url }}"
      username: admin@internal
      password: "{{ engine_password }}"
      ca_file: "{{ engine_ca_file }}"
    data_center: Default
    host_plan: true
  register: bonds

- name: Print the sessions each host should have
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.sessions | map(attribute='iface') | list }}"
  loop: "{{ bonds.host_plan }}"
  loop_control:
    label: "{{ item.name }}"

- name: Plan every host as if a bond existed, without creating it
  module_defaults:
    group/ovirt_iscsi.multipath.multipath:
      auth:
        url: "{{ engine_url }}"
        username: admin@internal
        password: "{{ engine_password }}"
        ca_file: "{{ engine_ca_file }}"
  block:
    - name: Ask what the bond would be (check mode writes nothing)
      ovirt_iscsi.multipath.iscsi_bond:
        data_center: Default
        name: multipath
        networks: [iscsi-a, iscsi-b]
        storage_domains: [iscsi-data]
      check_mode: true
      register: would_be

    - name: Plan every host with the bond as it would be
      ovirt_iscsi.multipath.iscsi_bond_info:
        data_center: Default
        host_plan: true
        assume_bonds: ["{{ would_be.iscsi_bond }}"]
      register: would_be_plan
'''

RETURN = r'''
data_center:
  description: The data center, C(id) and C(name).
  returned: always
  type: dict
  sample: {id: 1e2d3c4b-0000-4000-8000-000000000001, name: Default}
iscsi_bonds:
  description: The bonds, sorted by name, in the shape of RV(ovirt_iscsi.multipath.iscsi_bond#module:iscsi_bond).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Id of the bond.
      type: str
    name:
      description: Name of the bond.
      type: str
    description:
      description: Description (V("") when none).
      type: str
    data_center:
      description: The data center, C(id) and C(name).
      type: dict
    networks:
      description: The bond's networks, each with C(id) and C(name).
      type: list
      elements: dict
    storage_connections:
      description: Each connection's C(id), C(address), C(port), C(target) and C(username) (CHAP user; never a password).
      type: list
      elements: dict
host_plan:
  description:
    - One entry per host of the data center, sorted by name. Empty unless O(host_plan=true).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Id of the host.
      type: str
    name:
      description: Name of the host in the engine.
      type: str
    address:
      description: Address the engine reaches the host at.
      type: str
      sample: 198.18.0.11
    status:
      description:
        - Host status, as the engine's HostStatus (V(up), V(maintenance), V(non_responsive), ...).
        - The engine connects storage only to V(up) hosts (on activation once the status reads Up, and when a bond
          changes); P(ovirt_iscsi.multipath.datacenter_hosts#filter) gives every other host the action V(leave)
          (V(disconnect) for V(maintenance) when asked), so C(datacenter_paths) touches only V(up) hosts.
      type: str
      sample: up
    cluster:
      description: Name of the host's cluster.
      type: str
    bonds:
      description: Per bond, what the host does with it.
      type: list
      elements: dict
      contains:
        id:
          description: Id of the bond.
          type: str
        name:
          description: Name of the bond.
          type: str
        ifaces:
          description: The ifaces that carry the bond's networks on this host (same shape as RV(host_plan[].ifaces)).
          type: list
          elements: dict
        missing_networks:
          description: Names of the bond's networks this host does not carry (or whose network is not in its cluster).
          type: list
          elements: str
        uses_default_iface:
          description: True when the host carries none of the bond's networks and so logs in through the C(default) iface.
          type: bool
    ifaces:
      description: The iSCSI ifaces to define on the host, one per NIC, across all bonds.
      type: list
      elements: dict
      contains:
        name:
          description: Iface name (C(iscsiadm -m iface -I)), the NIC name as the engine passes it to VDSM.
          type: str
          sample: eth1
        nic:
          description: The host NIC that carries the network.
          type: str
          sample: eth1
        network:
          description: The logical network.
          type: str
          sample: storage1
        net_ifacename:
          description: The C(iface.net_ifacename), the network's bridge if the NIC is bridged, else the NIC.
          type: str
          sample: storage1
        bridged:
          description: Whether the NIC is bridged.
          type: bool
        ip:
          description: The NIC's IPv4 address, if any.
          type: str
          sample: 198.18.1.11
        subnet:
          description: CIDR of the NIC's network (its address and netmask), null when the engine gives no netmask.
          type: str
          sample: 198.18.1.0/24
    sessions:
      description:
        - The logins VDSM would make, one per connection and iface (the C(default) iface when the host carries
          none of the bond's networks), without duplicates across bonds; the connections of the data center's
          iSCSI storage domains that no bond holds go through the C(default) iface.
        - Each carries its iface's binding, the exact input of the host role (C(iscsi_paths_sessions)).
      type: list
      elements: dict
      contains:
        iface:
          description: Iface name, or V(default).
          type: str
        network:
          description: The logical network the iface carries, null for the C(default) iface.
          type: str
        net_ifacename:
          description: The device the iface binds to (the bridge of a bridged network, else the NIC), null for C(default).
          type: str
        subnet:
          description: CIDR of the iface's network, null when unknown; a portal outside it is not reachable through it.
          type: str
        address:
          description: Portal address.
          type: str
        port:
          description: Portal port.
          type: int
        tpgt:
          description: Portal group tag of the connection (its C(portal) in the engine; 1 when the engine has none, as VDSM takes it).
          type: int
        target:
          description: Target IQN.
          type: str
        username:
          description: CHAP user name, if any; the password is never returned.
          type: str
        connection_id:
          description: Id of the engine's storage connection.
          type: str
        bond:
          description: Name of the bond that first asked for this session, null for a connection no bond holds.
          type: str
        bonds:
          description: Names of every bond that asks for this session (two bonds may share a network and a connection), empty for a connection no bond holds.
          type: list
          elements: str
    data_center_targets:
      description: The target IQNs of every iSCSI storage connection of the data center.
      type: list
      elements: str
'''

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._bond import bond_facts
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._engine import (
    EngineModule, engine_argument_spec, run_engine_module,
)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_plan import plan_hosts
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._snapshot import (
    assume_bonds, check_assumed_connections, complete_connections, read_hosts, read_snapshot,
)

ARGUMENT_SPEC = engine_argument_spec(
    data_center=dict(type='str', required=True),
    name=dict(type='str'),
    host_plan=dict(type='bool', default=False),
    assume_bonds=dict(type='list', elements='dict', default=[]),
)


def run(module, session):
    snapshot = read_snapshot(session.system, module.params['data_center'])
    all_bonds = assume_bonds(snapshot, sorted(snapshot.bonds, key=lambda b: b.name), module.params['assume_bonds'])
    check_assumed_connections(session.system, snapshot, module.params['assume_bonds'])
    bonds = all_bonds
    if module.params['name'] is not None:
        bonds = [b for b in bonds if b.name == module.params['name']]
    complete_connections(session.system, snapshot, bonds)
    result = dict(
        changed=False,
        data_center=dict(id=snapshot.dc_id, name=snapshot.dc_name),
        iscsi_bonds=[bond_facts(snapshot, b.id, b.name, b.description, b.network_ids, b.connection_ids) for b in bonds],
        host_plan=[],
    )
    if module.params['host_plan']:
        result['host_plan'] = plan_hosts(snapshot, bonds, read_hosts(session.system, snapshot), all_bonds)
    return result


def main():
    run_engine_module(EngineModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True), run)


if __name__ == '__main__':
    main()
