# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: iscsi_sessions
short_description: Exactly the given iSCSI sessions on a host, converged in one call, with the host's path state
version_added: 0.2.0
description:
  - Takes the whole desired state of a host, every session as (iface, portal, target) with the
    iface's binding, and converges the host to it in one call, as the engine has VDSM connect a
    host (ifaces bound to their NIC or bridge, node records with their settings and CHAP, logins).
  - Reads the host once (ifaces, node records and their settings, sessions, the record of what it
    created) and writes only what differs, so a run with nothing to change writes nothing.
  - Logins run in parallel, each bounded by O(login_timeout) and O(login_retries); a failed login
    is reported with its iface, portal, target and iscsiadm's reason while the others go on.
  - Make before break. Sessions that the desired state no longer holds are logged out only after
    the new ones are up, one at a time, and only when every LUN keeps an active path without them.
    Only what this module created (its O(record_file)) is ever removed, and, where the engine owns
    the host's sessions (O(ownership)), node records to O(engine_targets) through an iface named
    after one of the host's NICs, as VDSM names them. Anything else is reported, never touched.
  - What it is about to create is recorded before it is created, so a run killed at any point and
    run again ends as an uninterrupted run does.
  - A session whose portal lies outside its iface's subnet is not tried; it is reported in
    C(unreachable) of RV(report).
  - With O(state=absent) (a host leaving for good) it removes what its O(record_file) says this collection made, and
    nothing else, whatever O(ownership) says. Its sessions first, a target no other session goes to released as above
    (maps flushed, disks deleted, then the logouts), or refused whole, naming the map and its holder, when something
    holds its storage open; a session of a target that VDSM's sessions keep on the host leaves its maps first, and only
    while every LUN keeps another active path. Then its node records, then its ifaces (not one that what stays still
    uses), then, when nothing was refused or kept, its sysctl.d file with the values from before restored live, and the
    record last (C(files) of it are M(ovirt_iscsi.multipath.iscsi_host_config)'s, which removes the record then).
    VDSM's sessions, node records and ifaces, and anyone else's, are left as they are.
  - LUNs that a target added after login are found on the next run. The logged-in sessions the
    run keeps are scanned for new LUNs (every run, since the engine's plan names no LUNs), in
    process, by writing to their SCSI hosts' C(scan) attribute in sysfs as iscsiadm itself does, all
    at once and without an iscsiadm call; the kernel probes only LUNs it has no disk for yet. A run
    with nothing to change thus runs no rescan command. Sessions the module does not keep are not
    scanned, nor a session whose node record has C(node.session.scan=manual). When new disks
    appear, the run waits for udev (C(udevadm settle)) and for their paths, as for a new session.
author:
  - ovirt_iscsi.multipath contributors (!UNKNOWN)
extends_documentation_fragment:
  - ovirt_iscsi.multipath.attributes
  - ovirt_iscsi.multipath.attributes.full
  - ovirt_iscsi.multipath.attributes.host
  - ovirt_iscsi.multipath.host_lock
attributes:
  check_mode:
    details:
      - Reads only, and reports the logins it would make in C(would_create) of RV(report).
      - With O(state=absent), what it would remove (C(removed)) and refuse (C(refused)), from the paths and holders read now.
  diff_mode:
    details: Ifaces, node records and logins before and after; never a CHAP secret.
options:
  state:
    description:
      - V(present), the host converged to O(sessions). V(absent), everything the record lists removed (the host leaves
        for good); it takes no O(sessions).
    type: str
    choices: [present, absent]
    default: present
  sessions:
    description:
      - Every session the host must have. The shape of RV(ovirt_iscsi.multipath.iscsi_bond_info#module:host_plan[].sessions),
        with the CHAP password added. Required with O(state=present).
    type: list
    elements: dict
    suboptions:
      iface:
        description: The iface, named after the NIC (as VDSM names it), or V(default) for the host's routing table.
        type: str
        default: default
      net_ifacename:
        description: The device the iface binds to (the bridge of a bridged network, else the NIC). Required unless O(sessions[].iface=default).
        type: str
      network:
        description: The logical network, for the report.
        type: str
      subnet:
        description: CIDR of the iface's network; a portal outside it is not tried.
        type: str
      address:
        description: Portal address (IPv4, IPv6 or a name).
        type: str
        required: true
      port:
        description: Portal port.
        type: int
        default: 3260
      tpgt:
        description:
          - The portal group tag the node record is made with (the engine connection's C(portal), 1 when it has none,
            as VDSM takes it). A node record made without one would be the only one of its portal, whatever its iface.
        type: int
        default: 1
      target:
        description: Target IQN.
        type: str
        required: true
      username:
        description: CHAP user name.
        type: str
      password:
        description: CHAP secret. Never returned, logged or shown in a diff.
        type: str
      connection_id:
        description: Id of the engine's storage connection the session comes from; named in RV(report) with the session.
        type: str
      bonds:
        description: Every iSCSI bond that asks for the session; named in RV(report) with the session.
        type: list
        elements: str
        default: []
      bond:
        description: The first of O(sessions[].bonds), as older host plans give it alone; taken into O(sessions[].bonds).
        type: str
  node_startup:
    description: C(node.startup) of the node records; V(automatic) logs in again at boot.
    type: str
    choices: [automatic, manual, onboot]
    default: automatic
  node_settings:
    description:
      - Further node record settings, C(key) to value (session timeouts such as
        C(node.session.timeo.replacement_timeout)). Applied to new and existing records; a logged-in
        session keeps the values it logged in with until it logs in again.
    type: dict
    default: {}
  login_timeout:
    description: Seconds one login attempt may take (C(node.conn[0].timeo.login_timeout), open-iscsi's default too).
    type: int
    default: 15
  login_retries:
    description:
      - Further attempts after a first login timed out (C(node.session.initial_login_retry_max); open-iscsi's default
        is 8, so an unreachable portal costs about two minutes; with 1 it costs about 30 s).
    type: int
    default: 1
  parallel_logins:
    description: Logins that run at the same time.
    type: int
    default: 10
  wait:
    description: Seconds to wait for the paths of the sessions logged in by this run to become active.
    type: int
    default: 60
  record_file:
    description: Where the module records the ifaces and node records it created (JSON, mode 0600).
    type: path
    default: /var/lib/ovirt_iscsi_multipath.iscsi_paths.json
  ownership:
    description:
      - V(role), remove only what this module created. V(engine), also node records and sessions to
        O(engine_targets) through an iface named after a NIC of the host, which VDSM made for the
        engine. V(auto), V(engine) where VDSM is installed (C(/etc/vdsm/vdsm.conf)), else V(role).
    type: str
    choices: [auto, engine, role]
    default: auto
  engine_targets:
    description:
      - The data center's target IQNs. With O(ownership=engine), sessions to other targets are never
        touched. Default, the targets of O(sessions).
    type: list
    elements: str
    default: []
  verify_only:
    description: Change nothing; report the paths and the host's state.
    type: bool
    default: false
  shared_subnet_sysctls:
    description:
      - On the bound devices (O(sessions[].net_ifacename)) that share a subnet with another bound device, set what
        VDSM sets, C(arp_ignore=1) and C(arp_announce=2), and loose reverse-path filtering (C(rp_filter=2)), live and
        in a sysctl.d file of the module's own that keeps the values from before; undone when no shared subnet remains.
      - V(false) leaves them (and undoes what an earlier run set). It costs the second NIC of a shared subnet its paths
        where reverse-path filtering is strict (RHEL's default), since the replies that reach it are dropped, as the route
        back to the portal goes by the first NIC.
    type: bool
    default: true
requirements:
  - open-iscsi (iscsiadm)
  - multipath-tools (a running multipathd)
'''

EXAMPLES = r'''
- name: The engine's sessions for this host, from iscsi_bond_info's host plan
  ovirt_iscsi.multipath.iscsi_sessions:
    sessions:
      - {iface: ens4, net_ifacename: ens4, network: iscsi-a, subnet: 198.18.1.0/24,
         address: 198.18.1.1, target: iqn.2026-11.lab.example:storage1}
      - {iface: ens5, net_ifacename: ens5, network: iscsi-b, subnet: 198.18.2.0/24,
         address: 198.18.2.1, target: iqn.2026-11.lab.example:storage1}
    node_settings:
      node.session.timeo.replacement_timeout: 1
  register: converged

- name: Fail a host that has a LUN without a path
  ansible.builtin.assert:
    that: converged.state != 'non operational'
'''

RETURN = r'''
state:
  description:
    - V(operational), every LUN has an active path through every session; V(degraded), every LUN
      still has one (C(missing) of RV(report) names what lacks and why); V(non operational), a LUN has no
      active path, or a target of the sessions shows no LUN.
  returned: always
  type: str
  sample: degraded
report:
  description:
    - C(luns) (each with C(wwid), C(target), C(active_paths) and C(networks), network name to its paths,
      each with C(iface), C(portal), C(device), C(state)); C(missing) and C(would_create) (C(wwid), C(target),
      C(portal), C(iface), C(network), C(reason), and where the engine's plan got the session, C(connection_id) and
      C(bonds)); C(unreachable); C(leaving) (C(nodes), C(ifaces)) logged out or
      deleted by this run; C(kept), stale sessions kept as a LUN's last path; C(stray), sessions to these targets
      through no desired iface that the module does not own; C(portal_group_tags_differ), sessions whose node record on
      the host has another portal group tag than O(sessions[].tpgt) (C(engine_tpgt), C(host_tpgt); the host's is used);
      C(duplicate_node_records), desired sessions with node records of several portal group tags (C(host_tpgts),
      C(used_tpgt); the others are left, and a warning says so); C(unbacked_sessions), sessions to these targets through
      a portal that no desired session holds (no storage connection of the engine backs them; also a warning);
      C(stray_records_deleted) (C(would_delete_records) in check mode), node records to these targets that a
      discovery left through V(default) or the module's ifaces, not desired and not logged in;
      C(targets_without_luns); C(luns_without_path);
      C(degraded_networks); C(state); C(operational).
    - C(released), targets that left the plan, with their maps flushed and disks deleted before their sessions were
      logged out; C(refused), targets that left the plan but whose storage something holds open (C(reason) names the
      map or disk and what holds it), kept whole, which makes the host V(degraded); C(would_release) in check mode.
    - C(unserved_luns), LUNs the target stopped serving while their sessions stay up (every path faulty on sessions
      that carry another LUN's active path; a LUN unmapped on the array) (C(wwid), C(map), C(target), C(disks),
      C(released), C(refused)); the map is flushed and the disks deleted unless something holds them, then
      C(refused) names the holder and is also a warning; in check mode nothing is released. A path in no map on such
      a session counts as faulty when its disk reads no capacity once rescanned (in check mode, without a
      rescan); a LUN whose map is gone (C(map) null) has its disks deleted unless held, and a map named by the
      LUN's WWID that its paths left is still its map. A multipath map with no path left at all is listed
      too (C(target) null, no C(disks)), flushed unless held, refused naming the holder when held.
    - C(wwid_changed), paths whose disk, read again (its C(device/rescan)), carries another WWID than its map's (a
      LUN number the array gave to another volume) (C(device), C(map), C(old_wwid), C(wwid), C(target), C(portal),
      C(iface)); such a path is never counted active. C(reused_luns), the maps such paths left without a path
      (C(map), C(wwid), C(flushed), C(refused)); flushed unless something holds them, when C(refused) names the holder,
      makes the host V(degraded) and a later run flushes them. In check mode the kernel's identities are compared
      without a rescan. C(resized_luns), paths that read their map's WWID but whose disk has another size than the map
      (C(map), C(wwid), C(device), C(disk_sectors), C(map_sectors)); the LUN was resized on the array; also a warning,
      nothing is changed.
    - C(new_disks), disks that the scan of the kept sessions found (LUNs added on the target since login); a run
      that finds any reports C(changed).
    - C(seconds), where the run spent its time (C(create), C(login), C(rescan), C(wait_for_paths), C(identities), C(remove_stale), C(total)),
      and how many times it read the paths (C(path_reads)).
    - C(shared_subnet), the bound devices that share a subnet (C(subnets), C(nics)), the values set live by this run
      (C(set_live)) and the sysctl.d C(file).
    - C(lock), how long this run waited for the host lock (C(waited)) and the note of a run that died holding it
      (C(took_over)).
    - With O(state=absent) instead, C(state) (V(removed), or V(refused) when a target was refused or a session kept as a
      LUN's last path); C(removed) (C(sessions), C(node_records), C(ifaces), C(files), C(sysctls), each C(sysctl) with the
      C(value) it went back to); C(released), C(refused), C(kept) as above; C(kept_ifaces); C(untouched) (C(sessions),
      C(node_records), C(ifaces) that are not the collection's); C(check_mode) (then C(removed) is what would be removed);
      C(record_goes_with_files), true when only M(ovirt_iscsi.multipath.iscsi_host_config)'s files keep the record, which
      that module then removes with them.
  returned: always
  type: dict
record:
  description: What the module has created on this host (ifaces and node records), after the run.
  returned: always
  type: dict
'''

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import HostError, run_host_module
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_lock import LOCK_ARGUMENT_SPEC, HostLock
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_record import DEFAULT_RECORD_FILE
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import Iscsiadm
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._leave import leave
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session import ARGUMENT_SPEC as SESSION_SPEC, normalize
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import STARTUP, PlanError, diff_of
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_runner import converge, read_record
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_report import session_view

VDSM_CONF = '/etc/vdsm/vdsm.conf'
LOGIN_TIMEOUT = 'node.conn[0].timeo.login_timeout'
LOGIN_RETRIES = 'node.session.initial_login_retry_max'

ARGUMENT_SPEC = dict(
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    sessions=dict(type='list', elements='dict', options=SESSION_SPEC),
    node_startup=dict(type='str', choices=['automatic', 'manual', 'onboot'], default='automatic'),
    node_settings=dict(type='dict', default={}),
    login_timeout=dict(type='int', default=15),
    login_retries=dict(type='int', default=1),
    parallel_logins=dict(type='int', default=10),
    wait=dict(type='int', default=60),
    record_file=dict(type='path', default=DEFAULT_RECORD_FILE),
    ownership=dict(type='str', choices=['auto', 'engine', 'role'], default='auto'),
    engine_targets=dict(type='list', elements='str', default=[]),
    verify_only=dict(type='bool', default=False),
    shared_subnet_sysctls=dict(type='bool', default=True),
    **LOCK_ARGUMENT_SPEC
)


def options_of(params, desired):
    """The runner's options: the node settings every record gets, and who owns what."""
    problems = ['%s must be at least %d (got %d)' % (name, low, params[name])
                for name, low in (('login_timeout', 1), ('login_retries', 0), ('parallel_logins', 1), ('wait', 0),
                                  ('lock_timeout', 0))
                if params[name] < low]
    if problems:
        raise PlanError(problems)
    common = dict(params['node_settings'])
    common.update({STARTUP: params['node_startup'], LOGIN_TIMEOUT: params['login_timeout'], LOGIN_RETRIES: params['login_retries']})
    ownership = params['ownership']
    if ownership == 'auto':
        ownership = 'engine' if os.path.exists(VDSM_CONF) else 'role'
    return dict(
        common_settings=common, engine_owned=ownership == 'engine',
        engine_targets=params['engine_targets'] or sorted(set(s['target'] for s in desired)),
        host_nics=os.listdir('/sys/class/net') if os.path.isdir('/sys/class/net') else [],
        record_file=params['record_file'], parallel_logins=params['parallel_logins'], wait=params['wait'],
        verify_only=params['verify_only'], ownership=ownership, shared_subnet_sysctls=params['shared_subnet_sysctls'],
    )


def run(module):
    # PlanError and HostLockTimeout are HostErrors: main() ends the task with them.
    if module.params['state'] == 'absent':
        return run_absent(module)
    # The one normalisation of the sessions (_session): the plan, the logins and the report use its result.
    desired = normalize(module.params['sessions'])
    options = options_of(module.params, desired)
    try:
        with HostLock(module.params['lock_file'], module.params['lock_timeout'], 'iscsi_sessions') as lock:
            changed, report, plan = converge(module, Iscsiadm(module), desired, options=options)
    except OSError as exc:
        # /proc/sys and /sys writes (sysctls, SCSI disk deletion) and the lock and sysctl.d files.
        raise HostError('%s: %s' % (exc.filename or 'a host file', exc.strerror or exc)) from None
    report['lock'] = lock.report()
    report['stray'] = [session_view(s) for s in plan.stray]
    report['portal_group_tags_differ'] = plan.tpgt_differs
    report['duplicate_node_records'] = plan.duplicate_records
    report['unbacked_sessions'] = [session_view(s) for s in plan.unbacked]
    for entry in plan.duplicate_records:
        module.warn('%s at %s through %s: %s' % (entry['target'], entry['portal'], entry['iface'], entry['reason']))
    if plan.unbacked:
        module.warn('%d session(s) to the data center\'s targets through a portal that no storage connection of the engine '
                    'holds (a reboot will not log them in again): %s' % (
                        len(plan.unbacked), '; '.join('%s at %s through %s' % (v['target'], v['portal'], v['iface'])
                                                      for v in report['unbacked_sessions'])))
    result = dict(changed=changed, state=report['state'], report=report, ownership=options['ownership'],
                  record=read_record(options['record_file']))
    if module._diff:
        before, after = diff_of(plan)
        result['diff'] = {'before': before, 'after': after}
    return result


def run_absent(module):
    """A host leaving for good: everything the record lists removed (``_leave``)."""
    params = module.params
    problems = (['state=absent takes no sessions (it removes what the record lists)'] if params['sessions'] else []) + (
        ['state=absent removes, verify_only changes nothing: choose one'] if params['verify_only'] else []) + (
        ['lock_timeout must be at least 0 (got %d)' % params['lock_timeout']] if params['lock_timeout'] < 0 else [])
    if problems:
        raise PlanError(problems)
    try:
        with HostLock(params['lock_file'], params['lock_timeout'], 'iscsi_sessions') as lock:
            changed, report = leave(module, Iscsiadm(module), record_file=params['record_file'], check_mode=module.check_mode)
    except OSError as exc:
        raise HostError('%s: %s' % (exc.filename or 'a host file', exc.strerror or exc)) from None
    report['lock'] = lock.report()
    result = dict(changed=changed, state=report['state'], report=report, record=read_record(params['record_file']))
    if module._diff:
        removed = report['removed']
        before = dict((key, removed[key]) for key in ('sessions', 'node_records', 'ifaces', 'files'))
        result['diff'] = {'before': before, 'after': dict((key, []) for key in before)}
    return result


def main():
    run_host_module(AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                                  required_if=[('state', 'present', ['sessions'])]), run)


if __name__ == '__main__':
    main()
