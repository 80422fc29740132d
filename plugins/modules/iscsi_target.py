# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: iscsi_target
short_description: Node records and sessions of one iSCSI target through given ifaces
version_added: 0.1.0
description:
  - With O(state=present), for every portal of the target, makes sure a node record exists for
    the target, the portal and the iface (found by SendTargets discovery through that iface), that
    it starts automatically and carries the CHAP credentials, and that a session is logged in
    through that iface.
  - With O(state=absent), logs out the sessions of the target through that iface and deletes its
    node records. Sessions and records through other ifaces are never touched.
  - Discovery does not store records for the other targets a portal offers.
  - Every portal of every iface is read, planned and, where a node record is missing, asked by
    discovery whether it offers the target before the first write; a portal asked twice through one
    iface or one that does not offer the target fails the task with nothing changed.
author:
  - ovirt_iscsi.multipath contributors (!UNKNOWN)
extends_documentation_fragment:
  - ovirt_iscsi.multipath.attributes
  - ovirt_iscsi.multipath.attributes.full
  - ovirt_iscsi.multipath.attributes.host
  - ovirt_iscsi.multipath.host_lock
attributes:
  check_mode:
    details: Predicts the change; only read-only discovery is sent to the portals (it finds the portal group tag of RV(nodes)).
  diff_mode:
    details: Shows node records and sessions per portal before and after, never the CHAP secret.
options:
  target:
    description: IQN of the target.
    type: str
    required: true
    aliases: [iqn]
  portals:
    description:
      - Portals of the target, C(address) or C(address:port); IPv6 addresses in brackets when a
        port follows (C([fd00::1]:3260)). The port defaults to 3260.
    type: list
    elements: str
    required: true
  iface:
    description:
      - The iface the sessions go through (see M(ovirt_iscsi.multipath.iscsi_iface)); C(default)
        lets the routing table choose the interface.
    type: str
    default: default
  subnet:
    description:
      - Use only the portals whose address lies in this network (CIDR), the storage network the
        iface is bound to; the others are reported in RV(skipped_portals). Host names are kept.
    type: str
  ifaces:
    description:
      - Several ifaces in one call, each with its own O(subnet); instead of O(iface) and O(subnet).
    type: list
    elements: dict
    suboptions:
      name:
        description: The iface.
        type: str
        required: true
      subnet:
        description: As O(subnet), for this iface.
        type: str
  discover:
    description:
      - Find the portal group tag by SendTargets discovery through the iface before creating a
        node record. With V(false) the record is created without discovery, as VDSM does.
    type: bool
    default: true
  node_startup:
    description: C(node.startup) of the node records; V(automatic) logs in again at boot.
    type: str
    choices: [automatic, manual, onboot]
    default: automatic
  node_settings:
    description:
      - Further node record settings, C(key) to value, for example the session timeouts
        C(node.session.timeo.replacement_timeout) or C(node.conn[0].timeo.noop_out_interval).
      - Applied to new and existing records; a session already logged in keeps the values it
        logged in with until it logs in again.
    type: dict
    default: {}
  auth_username:
    description: CHAP username; without it CHAP is switched off on the node records.
    type: str
  auth_password:
    description: CHAP secret. Never returned, logged or shown in a diff.
    type: str
  state:
    description: V(present) logged in, V(absent) logged out and node records deleted.
    type: str
    choices: [present, absent]
    default: present
requirements:
  - open-iscsi (iscsiadm)
notes:
  - Changed CHAP credentials are written to the node records; a session that is already logged
    in keeps the credentials it logged in with until it logs in again.
'''

EXAMPLES = r'''
- name: Log in to the target through the iface of the first storage network
  ovirt_iscsi.multipath.iscsi_target:
    target: iqn.2026-11.lab.example:storage1
    portals: [198.18.1.1, 198.18.2.1]
    iface: ens4
    subnet: 198.18.1.0/24
    auth_username: ovirt
    auth_password: "{{ vault_chap_secret }}"

- name: Through the ifaces of two storage networks in one call
  ovirt_iscsi.multipath.iscsi_target:
    target: iqn.2026-11.lab.example:storage1
    portals: [198.18.1.1, 198.18.2.1]
    ifaces:
      - {name: ens4, subnet: 198.18.1.0/24}
      - {name: ens5, subnet: 198.18.2.0/24}

- name: Log out and forget the target through that iface only
  ovirt_iscsi.multipath.iscsi_target:
    target: iqn.2026-11.lab.example:storage1
    portals: [198.18.1.1]
    iface: ens4
    state: absent
'''

RETURN = r'''
nodes:
  description: One entry per portal used, after the run (as planned, in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    target: {description: 'IQN of the target.', type: str, returned: always}
    portal: {description: 'The portal, C(address:port).', type: str, returned: always}
    iface: {description: 'The iface.', type: str, returned: always}
    tpgt: {description: 'Portal group tag of the node record, null if unknown.', type: int, returned: always}
    steps: {description: 'What was done (or would be done in check mode).', type: list, elements: str, returned: always}
    sid: {description: 'Session id after the run, null if not logged in.', type: int, returned: always}
  sample:
    - {target: iqn.2026-11.lab.example:storage1, portal: '198.18.1.1:3260', iface: ens4, tpgt: 1, steps: [create, login], sid: 3}
skipped_portals:
  description: Portals left out of an iface because they are not in its subnet, as C(portal via iface).
  returned: always
  type: list
  elements: str
  sample: ['198.18.2.1:3260 via ens4']
lock:
  description: Seconds this run waited for another run's host lock (C(waited)), and the note of a run that died holding it (C(took_over)).
  returned: when the module could change the host (not in check mode)
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import run_host_module
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_lock import LOCK_ARGUMENT_SPEC, holding_lock
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import Iscsiadm, format_portal
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsi_target import (
    TargetManager, desired_settings, diff_of, find, select_portals)

ARGUMENT_SPEC = dict(
    target=dict(type='str', required=True, aliases=['iqn']),
    portals=dict(type='list', elements='str', required=True),
    iface=dict(type='str', default='default'),
    subnet=dict(type='str'),
    ifaces=dict(type='list', elements='dict', options=dict(name=dict(type='str', required=True), subnet=dict(type='str'))),
    discover=dict(type='bool', default=True),
    node_startup=dict(type='str', choices=['automatic', 'manual', 'onboot'], default='automatic'),
    node_settings=dict(type='dict', default={}),
    auth_username=dict(type='str'),
    auth_password=dict(type='str', no_log=True),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    **LOCK_ARGUMENT_SPEC
)


def step_name(step):
    return step[0] if step[0] != 'set' else 'set %s' % step[1]


def routes_of(params):
    """[(iface, subnet)] from either O(ifaces) or O(iface) and O(subnet)."""
    if params['ifaces']:
        return [(entry['name'], entry.get('subnet')) for entry in params['ifaces']]
    return [(params['iface'], params['subnet'])]


def run(module):
    """Parse, read and plan every iface (discovery included), then write; nothing is written
    before every portal of every iface is planned."""
    params = module.params
    target = params['target']
    settings = desired_settings(startup=params['node_startup'], username=params['auth_username'], password=params['auth_password'],
                                extra=params['node_settings'])
    routes, skipped = [], []
    for iface, subnet in routes_of(params):
        portals, left_out = select_portals(params['portals'], subnet)
        routes.append((iface, portals))
        skipped += ['%s via %s' % (format_portal(address, port), iface) for address, port in left_out]
    iscsiadm = Iscsiadm(module)
    manager = TargetManager(iscsiadm, module, target=target, state=params['state'], settings=settings, discover=params['discover'])
    plans = manager.plan(routes)
    changed = any(p['steps'] for p in plans)
    if changed and not module.check_mode:
        for plan in plans:
            manager.apply(plan)
    sessions = iscsiadm.sessions() if changed and not module.check_mode else None
    result = {'changed': changed, 'nodes': [node_result(plan, sessions, params['state']) for plan in plans], 'skipped_portals': skipped}
    if module._diff:
        before, after = diff_of(plans, target, settings)
        result['diff'] = {'before': before, 'after': after}
    return result


def node_result(plan, sessions, state):
    """One RV(nodes) entry; the session id is read again after changes."""
    node = plan['node']
    sid = plan['session'].get('sid') if plan['session'] and state == 'present' else None
    if sessions is not None:
        session = find(sessions, target=node['target'], address=node['address'], port=node['port'], iface=node['iface'])
        sid = session.get('sid') if session else None
    return {'target': node['target'], 'portal': format_portal(node['address'], node['port']), 'iface': node['iface'],
            'tpgt': node.get('tpgt'), 'steps': [step_name(s) for s in plan['steps']], 'sid': sid}


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, required_together=[('auth_username', 'auth_password')],
                           mutually_exclusive=[('ifaces', 'subnet')], supports_check_mode=True)
    run_host_module(module, lambda m: holding_lock(m, 'iscsi_target', run))


if __name__ == '__main__':
    main()
