# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: iscsi_iface
short_description: An open-iscsi iface bound to one network interface
version_added: 0.1.0
description:
  - Creates, binds or deletes an open-iscsi iface (C(iscsiadm -m iface)) the way VDSM does it,
    so that sessions logged in through it leave the host on the given network interface only.
  - Refuses to rebind an iface that is already bound to another interface unless O(force=true).
  - Refuses to delete an iface that still carries sessions; log them out first
    (M(ovirt_iscsi.multipath.iscsi_target) with O(ovirt_iscsi.multipath.iscsi_target#module:state=absent)).
author:
  - ovirt_iscsi.multipath contributors (!UNKNOWN)
extends_documentation_fragment:
  - ovirt_iscsi.multipath.attributes
  - ovirt_iscsi.multipath.attributes.full
  - ovirt_iscsi.multipath.attributes.host
  - ovirt_iscsi.multipath.host_lock
attributes:
  check_mode:
    details: Predicts the change without running any iscsiadm write.
  diff_mode:
    details: Shows the iface's binding before and after.
options:
  name:
    description:
      - Name of the iface. VDSM names it after the NIC (C(eth1), C(bond1), C(eth1.100)).
      - The built-in C(default) and C(iser) ifaces cannot be changed or deleted.
    type: str
    required: true
  net_ifacename:
    description:
      - Network interface the iface is bound to (C(iface.net_ifacename)); the bridge's name where
        the storage network is bridged, else the NIC itself.
      - Required with O(state=present).
    type: str
  transport:
    description: iSCSI transport of the iface.
    type: str
    choices: [tcp]
    default: tcp
  force:
    description:
      - Rebind an iface that is bound to another interface, and delete an iface bound to another
        interface than O(net_ifacename) when O(state=absent).
    type: bool
    default: false
  state:
    description: Whether the iface exists and is bound as asked.
    type: str
    choices: [present, absent]
    default: present
requirements:
  - open-iscsi (iscsiadm)
'''

EXAMPLES = r'''
- name: One iface per storage network, bound to the NIC that carries it
  ovirt_iscsi.multipath.iscsi_iface:
    name: ens4
    net_ifacename: ens4

- name: A bridged storage network binds the iface to the bridge, named after the NIC
  ovirt_iscsi.multipath.iscsi_iface:
    name: ens5
    net_ifacename: storage2

- name: Delete it once its sessions are logged out
  ovirt_iscsi.multipath.iscsi_iface:
    name: ens5
    state: absent
'''

RETURN = r'''
iface:
  description: The iface after the run (before it, in check mode); empty when absent.
  returned: always
  type: dict
  sample: {name: ens4, transport: tcp, net_ifacename: ens4, hwaddress: '', ipaddress: '', initiatorname: ''}
created:
  description: Whether the run created the iface (would create it, in check mode).
  returned: always
  type: bool
  sample: true
lock:
  description: Seconds this run waited for another run's host lock (C(waited)), and the note of a run that died holding it (C(took_over)).
  returned: when the module could change the host (not in check mode)
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import HostError, run_host_module
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_lock import LOCK_ARGUMENT_SPEC, holding_lock
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import Iscsiadm
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import BUILT_IN_IFACES


def plan_iface(current, *, name, net_ifacename, transport, force, state):
    """Pure plan: the iscsiadm operations that turn ``current`` (None if missing) into the wish.

    Returns a list of (operation, key, value); raises HostError naming the iface when the
    wish conflicts with what is there and ``force`` does not allow overriding it.
    """
    if name in BUILT_IN_IFACES:
        raise HostError('iface %s is built into open-iscsi and cannot be changed or deleted' % name)
    if state == 'absent':
        if current is None:
            return []
        bound = current.get('net_ifacename')
        if net_ifacename and bound and bound != net_ifacename and not force:
            raise HostError('iface %s is bound to %s, not %s: not deleting it without force=true' % (name, bound, net_ifacename))
        return [('delete', None, None)]
    operations = []
    if current is None:
        operations.append(('new', None, None))
        current = {}
    if current.get('transport', transport) != transport:
        raise HostError('iface %s uses transport %s, not %s; delete it first' % (name, current['transport'], transport))
    if current.get('transport') != transport:
        operations.append(('update', 'iface.transport_name', transport))
    bound = current.get('net_ifacename') or ''
    if bound != net_ifacename:
        if bound and not force:
            raise HostError('iface %s is bound to %s, not %s: set force=true to rebind it' % (name, bound, net_ifacename))
        operations.append(('update', 'iface.net_ifacename', net_ifacename))
    return operations


def apply_iface(iscsiadm, name, operations):
    for operation, key, value in operations:
        args = ['-m', 'iface', '-I', name, '-o', operation]
        if key:
            args += ['-n', key, '-v', value]
        what = 'iface %s: %s%s' % (name, operation, ' %s=%s' % (key, value) if key else '')
        iscsiadm.run(args, what=what)


def sessions_through(iscsiadm, name):
    return ['%s (%s)' % (s.get('target'), s.get('persistent_portal')) for s in iscsiadm.sessions() if s.get('iface') == name]


def run(module):
    """Read, plan and check (a deleted iface must carry no session), then write."""
    params = module.params
    name = params['name']
    iscsiadm = Iscsiadm(module)
    current = iscsiadm.ifaces(warn=module.warn).get(name)
    operations = plan_iface(current, name=name, net_ifacename=params['net_ifacename'], transport=params['transport'],
                            force=params['force'], state=params['state'])
    if params['state'] == 'absent' and operations:
        busy = sessions_through(iscsiadm, name)
        if busy:
            raise HostError('iface %s still carries sessions, log them out first: %s' % (name, ', '.join(busy)))
    if operations and not module.check_mode:
        apply_iface(iscsiadm, name, operations)
        after = iscsiadm.ifaces(warn=module.warn).get(name)
    elif params['state'] == 'absent':
        after = None
    else:
        after = dict(current or {'name': name, 'hwaddress': '', 'ipaddress': '', 'initiatorname': ''},
                     transport=params['transport'], net_ifacename=params['net_ifacename'])
    result = {'changed': bool(operations), 'created': ('new', None, None) in operations, 'iface': (after if not module.check_mode else current) or {}}
    if module._diff:
        result['diff'] = {'before': current or {}, 'after': after or {},
                          'before_header': 'iface %s' % name, 'after_header': 'iface %s' % name}
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            net_ifacename=dict(type='str'),
            transport=dict(type='str', choices=['tcp'], default='tcp'),
            force=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            **LOCK_ARGUMENT_SPEC
        ),
        required_if=[('state', 'present', ('net_ifacename',))],
        supports_check_mode=True,
    )
    run_host_module(module, lambda m: holding_lock(m, 'iscsi_iface', run))


if __name__ == '__main__':
    main()
