# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: iscsi_paths_info
short_description: Per LUN, its iSCSI paths as the kernel and multipathd see them
version_added: 0.1.0
description:
  - Joins the iSCSI sessions (C(iscsiadm -m session -P 3)) with multipathd's path table
    (C(multipathd show paths)) on the SCSI disk, and reports per LUN (WWID) every path with the
    iface, network interface, portal and session it goes through and its state.
  - Reads only; changes nothing.
author:
  - ovirt_iscsi.multipath contributors (!UNKNOWN)
extends_documentation_fragment:
  - ovirt_iscsi.multipath.attributes
  - ovirt_iscsi.multipath.attributes.info_module
  - ovirt_iscsi.multipath.attributes.host
options:
  targets:
    description: Report only sessions and LUNs of these target IQNs. All when empty.
    type: list
    elements: str
    default: []
  expect_ifaces:
    description:
      - Check that every LUN of O(targets) has an active path through each of these ifaces, and
        that each target has a session through each; what lacks is returned in RV(missing).
    type: list
    elements: str
    default: []
  wait:
    description:
      - Seconds to read the paths again, every two seconds, until nothing is missing (with
        O(expect_ifaces)); paths take a few seconds to appear after a login.
    type: int
    default: 0
requirements:
  - open-iscsi (iscsiadm)
  - multipath-tools (a running multipathd)
'''

EXAMPLES = r'''
- name: Read the paths of the storage targets
  ovirt_iscsi.multipath.iscsi_paths_info:
    targets: [iqn.2026-11.lab.example:storage1]
  register: paths

- name: Every LUN has two active paths
  ansible.builtin.assert:
    that: item.active_paths == 2
  loop: "{{ paths.luns }}"
  loop_control:
    label: "{{ item.wwid }}"
'''

RETURN = r'''
luns:
  description: One entry per WWID that has at least one iSCSI path.
  returned: always
  type: list
  elements: dict
  contains:
    wwid: {description: 'WWID of the LUN.', type: str, returned: always}
    map: {description: 'Name of its multipath map, null when no map holds it.', type: str, returned: always}
    active_paths: {description: 'Number of paths device-mapper uses and the checker finds ready.', type: int, returned: always}
    paths:
      description: Its paths.
      type: list
      elements: dict
      returned: always
      contains:
        device: {description: 'SCSI disk (sdX).', type: str, returned: always}
        hctl: {description: 'Host:channel:target:LUN.', type: str, returned: always}
        target: {description: 'Target IQN.', type: str, returned: always}
        portal: {description: 'Portal of the session.', type: str, returned: always}
        iface: {description: 'iSCSI iface of the session.', type: str, returned: always}
        netdev: {description: 'Network interface the iface is bound to (C(default) for the default iface).', type: str, returned: always}
        ipaddress: {description: 'Local address of the session.', type: str, returned: always}
        sid: {description: 'Session id.', type: int, returned: always}
        session_state: {description: 'iSCSI session state (LOGGED_IN, FAILED, FREE).', type: str, returned: always}
        dm_state: {description: 'Device-mapper state of the path (active, failed), null without a map.', type: str, returned: always}
        checker_state: {description: 'Path checker state (ready, faulty, ...), null without a map.', type: str, returned: always}
        device_state: {description: 'SCSI device state (running, offline, ...).', type: str, returned: always}
        active: {description: 'Whether the path carries I/O now.', type: bool, returned: always}
  sample:
    - wwid: 360000000000000000e00000000010001
      map: 360000000000000000e00000000010001
      active_paths: 2
      paths:
        - {device: sda, hctl: '2:0:0:1', target: iqn.2026-11.lab.example:storage1, portal: '198.18.1.1:3260',
           iface: ens4, netdev: ens4, ipaddress: 198.18.1.10, sid: 1, session_state: LOGGED_IN,
           dm_state: active, checker_state: ready, device_state: running, active: true}
missing:
  description:
    - What O(expect_ifaces) asks for and is not there. C(wwid) is null for a target that has no
      logged-in session through the iface at all.
  returned: always
  type: list
  elements: dict
  sample:
    - {wwid: 360000000000000000e00000000010001, target: iqn.2026-11.lab.example:storage1, iface: ens5, reason: no active path}
sessions:
  description: Every iSCSI session (of O(targets) when given), with its iface and disks.
  returned: always
  type: list
  elements: dict
  sample:
    - {sid: 1, target: iqn.2026-11.lab.example:storage1, portal: '198.18.1.1:3260', iface: ens4, netdev: ens4,
       ipaddress: 198.18.1.10, session_state: LOGGED_IN, connection_state: LOGGED IN, disks: [sda]}
'''

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import run_host_module
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_report import join_paths, missing_through_ifaces, session_view
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import Iscsiadm
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._multipath import read_paths


def read_state(module, targets, ifaces):
    iscsiadm = Iscsiadm(module)
    wanted = set(t.lower() for t in targets)
    sessions = [s for s in iscsiadm.sessions(warn=module.warn) if not targets or (s.get('target') or '').lower() in wanted]
    mpaths = read_paths(module, warn=module.warn) if sessions else []
    luns = join_paths(sessions, mpaths)
    views = [session_view(s) for s in sessions]
    return luns, views, missing_through_ifaces(luns, views, targets, ifaces)


def run(module):
    """Read until nothing is missing or O(wait) is over; reads only."""
    targets = set(module.params['targets'])
    ifaces = module.params['expect_ifaces']
    deadline = time.monotonic() + max(module.params['wait'], 0)
    while True:
        luns, sessions, missing = read_state(module, targets, ifaces)
        if not missing or time.monotonic() >= deadline:
            return dict(changed=False, luns=luns, sessions=sessions, missing=missing)
        time.sleep(2)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            targets=dict(type='list', elements='str', default=[]),
            expect_ifaces=dict(type='list', elements='str', default=[]),
            wait=dict(type='int', default=0),
        ),
        supports_check_mode=True,
    )
    run_host_module(module, run)


if __name__ == '__main__':
    main()
