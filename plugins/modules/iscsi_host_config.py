# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: iscsi_host_config
short_description: iscsid and multipath configured for iSCSI multipathing in one call
version_added: 0.2.0
description:
  - Sets the tuning block of C(iscsid.conf), writes C(/etc/multipath.conf) on a host where VDSM does
    not own it, or only a drop-in where it does (C(# VDSM REVISION) on line 1; VDSM's file is never
    touched), starts and enables iscsid and multipathd, restarts iscsid and reloads multipathd when
    their configuration changed. Reads everything first and writes only what differs.
  - When C(iscsiadm) or C(multipathd) is missing it changes nothing and returns RV(missing_commands)
    and RV(os_family), so that the caller installs the packages and calls it again.
  - What a file written whole replaced (or that there was none) is kept in the host's record
    (O(record_file)) before the first write, so that O(state=absent) can put it back.
  - With O(state=absent) (a host leaving for good) it undoes its own files and nothing else. The
    tuning block leaves C(iscsid.conf), C(multipath.conf) gets back what the record kept (removed
    when there was none, or when an earlier version wrote it without recording; never where VDSM
    owns it, nor when it is neither recorded nor the collection's), the drop-in is removed, then the
    record when it lists nothing more. iscsid is restarted when it runs and multipathd reloaded
    when it runs; services are neither stopped nor disabled (VDSM's sessions may need them).
  - Before any write (O(state=present)), the configuration multipathd runs (C(multipathd show config local), not
    the files) is audited, and again after multipathd read the new files. C(user_friendly_names yes) anywhere
    (C(defaults), a device section, a drop-in that sorts after ours) is refused, naming the section and the file
    that sets it (see O(multipath_audit)), since map names must be the WWIDs on every host, as VDSM requires. How long
    I/O queues with every path gone (C(no_path_retry) x C(polling_interval), in C(defaults), C(overrides) and each
    device section) is reported in RV(multipath_audit) and warned about where it differs from O(queueing).
  - Before any write, the host's LVM must not see the data center's LUNs (VDSM's C(config-lvm-filter), BZ 1449968);
    a physical volume on a LUN of O(lvm_targets) (its multipath map or a SCSI disk) fails the host naming the VG and
    the map, unless O(lvm_fix) keeps it out with LVM's devices file. A host whose LVM has neither a devices file
    nor a filter rejecting devices is warned. Nothing is checked where C(lvm) is not installed.
author:
  - ovirt_iscsi.multipath contributors (!UNKNOWN)
extends_documentation_fragment:
  - ovirt_iscsi.multipath.attributes
  - ovirt_iscsi.multipath.attributes.full
  - ovirt_iscsi.multipath.attributes.host
  - ovirt_iscsi.multipath.host_lock
attributes:
  check_mode:
    details: Reads only.
  diff_mode:
    details: The files before and after.
options:
  state:
    description: V(present), configured; V(absent), this collection's files undone (see the description).
    type: str
    choices: [present, absent]
    default: present
  record_file:
    description: The host's record of what this collection made (shared with M(ovirt_iscsi.multipath.iscsi_sessions)).
    type: path
    default: /var/lib/ovirt_iscsi_multipath.iscsi_paths.json
  iscsid_conf:
    description: Path of iscsid's configuration.
    type: path
    default: /etc/iscsi/iscsid.conf
  iscsid_settings:
    description: The tuning block's settings, key to value; empty removes the block.
    type: dict
    default: {}
  multipath_conf:
    description: Path of multipath's configuration.
    type: path
    default: /etc/multipath.conf
  multipath_conf_content:
    description: The whole C(multipath.conf), written where VDSM does not own it. Required with O(state=present).
    type: str
  multipath_dropin:
    description: The drop-in written where VDSM owns C(multipath.conf).
    type: path
    default: /etc/multipath/conf.d/ovirt_iscsi_multipath.conf
  multipath_dropin_content:
    description: Content of the drop-in; empty removes it.
    type: str
    default: ''
  services:
    description: Services started now and at boot.
    type: list
    elements: str
    default: [iscsid, multipathd]
  multipath_audit:
    description:
      - V(refuse), C(user_friendly_names yes) in the configuration multipathd runs fails the host, naming the file;
        V(warn), it is only warned about.
    type: str
    choices: [refuse, warn]
    default: refuse
  queueing:
    description: The queueing the caller documents; each scope of multipathd's configuration queueing another time is warned about.
    type: dict
    default: {}
    suboptions:
      no_path_retry:
        description: Path checks that I/O queues for once every path of a map is gone (VDSM's 16).
        type: int
        default: 16
      polling_interval:
        description: Seconds between two path checks (VDSM's 5).
        type: int
        default: 5
  lvm_targets:
    description: The data center's target IQNs; LVM must not see a physical volume on their LUNs. Empty, only the configuration is looked at.
    type: list
    elements: str
    default: []
  lvm_fix:
    description:
      - Keep the host's LVM off the LUNs of O(lvm_targets), as C(vdsm-tool config-lvm-filter -y) does with LVM's
        devices file. Where the devices file is in use, the LUNs' entries are removed (C(lvmdevices --deldev)).
        Otherwise every VG LVM sees, except those on the LUNs and those tagged as a storage domain's, is imported
        (C(vgimportdevices)), the devices file is written even when it lists no device (LVM reads every device
        while it is missing), and C(use_devicesfile = 1) is set in a marked block of C(/etc/lvm/lvmlocal.conf).
        LVM is read again after it, and a VG still seen fails the host. Not undone by O(state=absent).
    type: bool
    default: false
requirements:
  - systemd
'''

EXAMPLES = r'''
- name: Tune iscsid and multipath
  ovirt_iscsi.multipath.iscsi_host_config:
    iscsid_settings:
      node.session.timeo.replacement_timeout: 1
    multipath_conf_content: "{{ lookup('ansible.builtin.template', 'multipath.conf.j2') }}"
'''

RETURN = r'''
missing_commands:
  description: C(iscsiadm) and C(multipathd) when not installed; nothing was changed then.
  returned: always
  type: list
  elements: str
os_family:
  description: V(Debian), V(RedHat) or the C(ID) of C(/etc/os-release), to pick the packages to install.
  returned: always
  type: str
vdsm_owned:
  description: Whether VDSM owns C(multipath.conf) (only the drop-in is written then).
  returned: always
  type: bool
written:
  description: The files written or removed (would be, in check mode).
  returned: always
  type: list
  elements: str
removed:
  description:
    - With O(state=absent), each file undone (would be, in check mode) with its C(path) and C(action) (V(its block
      removed), V(removed), V(restored as it was before)); the record last when it was removed.
  returned: when O(state=absent)
  type: list
  elements: dict
multipath_audit:
  description:
    - The configuration multipathd runs, audited. C(user_friendly_names), each section turning it on (C(section),
      C(identity), C(files) that set it); C(queueing), each scope setting C(no_path_retry) with its C(seconds)
      (null for V(queue), for ever), C(warnings).
  returned: when multipathd answered
  type: dict
lvm:
  description:
    - The LVM preflight. C(protection), what keeps devices from LVM (V(devices file PATH), V(filter), or null);
      C(seen_on_luns), each physical volume seen on a LUN of O(lvm_targets) (C(pv), C(vg), C(map)); C(fixed), what
      O(lvm_fix) did.
  returned: when O(state=present) and lvm is installed
  type: dict
lock:
  description: Seconds this run waited for another run's host lock (C(waited)), and the note of a run that died holding it (C(took_over)).
  returned: when the module could change the host (not in check mode)
  type: dict
'''

import os
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import HostError, find_command, run_host_module
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_lock import LOCK_ARGUMENT_SPEC, holding_lock
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_config import (
    UNIT_PROPERTIES, absent_plan, multipath_files, recorded_files, unit_states, vdsm_owns, with_block)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_record import (
    DEFAULT_RECORD_FILE, is_empty, read_record, remove_record, write_record)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils import _lvm_check, _multipath_config

# `multipathd show daemon` ends with its state: 'configure' while it reads its configuration.
MULTIPATHD_READY = ('idle', 'running')

ARGUMENT_SPEC = dict(
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    record_file=dict(type='path', default=DEFAULT_RECORD_FILE),
    iscsid_conf=dict(type='path', default='/etc/iscsi/iscsid.conf'),
    iscsid_settings=dict(type='dict', default={}),
    multipath_conf=dict(type='path', default='/etc/multipath.conf'),
    multipath_conf_content=dict(type='str'),
    multipath_dropin=dict(type='path', default='/etc/multipath/conf.d/ovirt_iscsi_multipath.conf'),
    multipath_dropin_content=dict(type='str', default=''),
    services=dict(type='list', elements='str', default=['iscsid', 'multipathd']),
    multipath_audit=dict(type='str', choices=['refuse', 'warn'], default='refuse'),
    queueing=dict(type='dict', default={}, options=dict(no_path_retry=dict(type='int', default=16),
                                                        polling_interval=dict(type='int', default=5))),
    lvm_targets=dict(type='list', elements='str', default=[]),
    lvm_fix=dict(type='bool', default=False),
    **LOCK_ARGUMENT_SPEC
)


def read(path):
    try:
        with open(path, encoding='utf-8') as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def os_family():
    fields = {}
    for line in (read('/etc/os-release') or '').splitlines():
        key, sep, value = line.partition('=')
        if sep:
            fields[key] = value.strip().strip('"')
    family = ' '.join([fields.get('ID', ''), fields.get('ID_LIKE', '')]).split()
    if 'debian' in family:
        return 'Debian'
    if set(family) & set(('rhel', 'fedora', 'centos')):
        return 'RedHat'
    return fields.get('ID') or 'unknown'


def put(module, path, content):
    """Write (or remove, for None) atomically with mode 0644."""
    if content is None:
        os.remove(path)
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + '.ovirt_iscsi.tmp'
    with open(temporary, 'w', encoding='utf-8') as handle:
        handle.write(content)
    os.chmod(temporary, 0o644)
    module.atomic_move(temporary, path)


def systemctl(module, *args):
    rc, out, err = module.run_command([find_command(module, 'systemctl', 'systemd')] + list(args))
    return rc, (out or '').strip(), (err or '').strip()


def services_to_fix(module, services):
    """[(service, start?, enable?)] for the services not running or not enabled."""
    if not services:
        return []
    rc, out, err = systemctl(module, 'show', '-p', UNIT_PROPERTIES, *services)
    if rc != 0:
        raise HostError('systemctl show %s failed: %s' % (' '.join(services), err))
    try:
        states = unit_states(services, out)
    except ValueError as error:
        raise HostError(str(error))
    return [(service, not active, not enabled) for service, active, enabled in states if not (active and enabled)]


def plan(module, result, running=None):
    """Reads only: {path: content or None} to write, the diff, and the services to start or
    enable (not asked in check mode, which predicts the files only). ``running``: multipathd's
    ``show config local`` (a keyword it does not know is not written)."""
    params = module.params
    current_conf = read(params['multipath_conf'])
    result['vdsm_owned'] = vdsm_owns(current_conf)
    wanted = multipath_files(current_conf, conf_path=params['multipath_conf'],
                             conf_content=_multipath_config.without_unknown(params['multipath_conf_content'], running),
                             dropin_path=params['multipath_dropin'],
                             dropin_content=_multipath_config.without_unknown(params['multipath_dropin_content'], running))
    iscsid_now = read(params['iscsid_conf']) or ''
    wanted[params['iscsid_conf']] = with_block(iscsid_now, dict((k, str(v)) for k, v in params['iscsid_settings'].items()))
    writes, diff, current = {}, [], {}
    for path, content in wanted.items():
        now = current[path] = iscsid_now if path == params['iscsid_conf'] else read(path)
        if now != content:
            writes[path] = content
            diff.append({'before_header': path, 'after_header': path, 'before': now or '', 'after': content or ''})
    return writes, diff, [] if module.check_mode else services_to_fix(module, params['services']), current


def record_writes(params, writes, current):
    """Before the first write: what the writes replace, into the record (left as it is when that changes nothing)."""
    record = read_record(params['record_file'])
    files = recorded_files(record.get('files') or {}, writes, current, iscsid_conf=params['iscsid_conf'])
    if files != (record.get('files') or {}):
        record = dict(record, files=files)
        if not files:
            del record['files']
        write_record(params['record_file'], record)


def run(module):
    # One writer at a time per host (holding_lock, not in check mode), with iscsi_sessions: another
    # run's reload must not land between this run's writes and its own wait for multipathd.
    if module.params['state'] == 'absent':
        # A host leaving for good: the block, multipath's file or drop-in, then the record.
        result = dict(changed=False, missing_commands=[], os_family=os_family(), vdsm_owned=False, written=[], removed=[])
        return holding_lock(module, 'iscsi_host_config', lambda m: unconfigure(m, result))
    missing = [c for c in ('iscsiadm', 'multipathd') if not module.get_bin_path(c)]
    result = dict(changed=False, missing_commands=missing, os_family=os_family(), vdsm_owned=False, written=[])
    if missing:
        return result
    return holding_lock(module, 'iscsi_host_config', lambda m: configure(m, result))


def configure(module, result):
    """Plan the files and services, then write and (re)start what differs."""
    params = module.params
    running = _multipath_config.show_config_local(module)
    writes, diff, services, current = plan(module, result, running)
    # Preflights, before any write: what multipathd runs now, and what the host's LVM sees.
    audit_multipath(module, result, replaced=set(writes), text=running)
    result['lvm'] = _lvm_check.check(module, targets=params['lvm_targets'], fix=params['lvm_fix'])
    result['written'] = list(writes)
    result['changed'] = bool(writes or services)
    if module._diff:
        result['diff'] = diff
    if module.check_mode or not result['changed']:
        return result
    try:
        record_writes(params, writes, current)
    except OSError as exc:
        raise HostError('writing the record %s failed: %s' % (params['record_file'], exc.strerror or exc), **result) from None
    for path, content in writes.items():
        try:
            put(module, path, content)
        except OSError as exc:
            raise HostError('writing %s failed: %s' % (path, exc.strerror or exc), **result) from None
    restart = []
    for service, start, enable in services:
        args = ['enable'] + (['--now'] if start else []) if enable else ['start']
        rc, dummy, err = systemctl(module, *(args + [service]))
        if rc != 0:
            raise HostError('systemctl %s %s failed: %s' % (' '.join(args), service, err), **result)
        restart.append(service)
    # A service started just now read the new files; one already running reads them again.
    again = []
    if params['iscsid_conf'] in writes and 'iscsid' not in restart:
        again.append(('restart', 'iscsid'))
    if set(writes) - set([params['iscsid_conf']]) and 'multipathd' not in restart:
        again.append(('reload', 'multipathd'))
    for action, service in again:
        rc, dummy, err = systemctl(module, action, service)
        if rc != 0:
            raise HostError('systemctl %s %s failed after its configuration changed: %s' % (action, service, err), **result)
    if 'multipathd' in restart or ('reload', 'multipathd') in again:
        wait_for_multipathd(module, result)
        # What multipathd runs now, with the files just written.
        audit_multipath(module, result, replaced=set())
    return result


def audit_multipath(module, result, replaced, text=_multipath_config.NOT_READ):
    """``multipathd show config local`` audited (``_multipath_config``): user_friendly_names yes refused (or
    warned about) naming its files, unless every file setting it is one of ``replaced`` (about to be written);
    the queueing warned about where it differs from what the caller documents. Nothing while multipathd
    does not answer (stopped), nor while its files are about to change (the next audit sees them)."""
    params = module.params
    audit = _multipath_config.audit(module, conf_path=params['multipath_conf'], conf_dir=os.path.dirname(params['multipath_dropin']),
                                    no_path_retry=params['queueing']['no_path_retry'], polling_interval=params['queueing']['polling_interval'],
                                    text=text)
    if audit is None:
        return
    result['multipath_audit'] = audit
    reloading = bool(replaced & set([params['multipath_conf'], params['multipath_dropin']]))
    if reloading:
        # The queueing of a configuration about to be replaced is not worth a warning.
        audit['warnings'] = []
    for warning in audit['warnings']:
        module.warn(warning)
    # Left to the audit after the reload: what only files about to be written set, and what no file sets
    # any longer when multipathd is about to read its files again.
    offending = [item for item in audit['user_friendly_names']
                 if not (set(item['files']) <= replaced if item['files'] else reloading)]
    if offending:
        message = _multipath_config.refusal(offending)
        if params['multipath_audit'] == 'refuse':
            raise HostError(message, **result)
        module.warn(message)


def unconfigure(module, result):
    """Undo this collection's files as the record and their markers say (``absent_plan``), the record last."""
    params = module.params
    paths = (params['iscsid_conf'], params['multipath_conf'], params['multipath_dropin'])
    current = dict((path, read(path)) for path in paths)
    result['vdsm_owned'] = vdsm_owns(current[params['multipath_conf']])
    record = read_record(params['record_file'])
    writes, actions = absent_plan(current, record.get('files') or {}, iscsid_conf=params['iscsid_conf'],
                                  conf_path=params['multipath_conf'], dropin_path=params['multipath_dropin'])
    # Every file the record lists is settled now: undone, VDSM's, or gone already.
    settled = dict((k, v) for k, v in record.items() if k != 'files')
    record_exists = os.path.exists(params['record_file'])
    result.update(written=list(writes), removed=actions, changed=bool(writes) or (record_exists and settled != record))
    if is_empty(settled) and record_exists:
        result['changed'] = True
        result['removed'].append({'path': params['record_file'], 'action': 'removed'})
    if module._diff:
        result['diff'] = [{'before_header': path, 'after_header': path, 'before': current[path] or '', 'after': content or ''}
                          for path, content in writes.items()]
    if module.check_mode or not result['changed']:
        return result
    try:
        for path, content in writes.items():
            put(module, path, content)
        # Last: a run cut short before this point finds the record and goes on from it.
        if is_empty(settled):
            remove_record(params['record_file'])
        elif settled != record:
            write_record(params['record_file'], settled)
    except OSError as exc:
        raise HostError('undoing %s failed: %s' % (exc.filename or 'a file', exc.strerror or exc), **result) from None
    # Running services read their configuration again; stopped ones are left stopped.
    if params['iscsid_conf'] in writes:
        rc, dummy, err = systemctl(module, 'try-restart', 'iscsid')
        if rc != 0:
            raise HostError('systemctl try-restart iscsid failed after its block was removed: %s' % err, **result)
    if set(writes) - set([params['iscsid_conf']]) and systemctl(module, 'is-active', 'multipathd')[1] == 'active':
        rc, dummy, err = systemctl(module, 'reload', 'multipathd')
        if rc != 0:
            raise HostError('systemctl reload multipathd failed after its configuration changed: %s' % err, **result)
        wait_for_multipathd(module, result)
    return result


def wait_for_multipathd(module, result, seconds=60):
    """Until multipathd has read its configuration again: paths that appear while it reconfigures
    can stay orphans with no map (seen in the lab when logins followed a reload at once)."""
    binary = find_command(module, 'multipathd', 'multipath-tools (device-mapper-multipath)')
    deadline = time.monotonic() + seconds
    # A reload only schedules the reconfiguration: give it a moment to begin before asking.
    time.sleep(1)
    while True:
        rc, out, dummy = module.run_command([binary, 'show', 'daemon'], environ_update={'LC_ALL': 'C'})
        state = (out or '').split()[-1:] if rc == 0 else []
        if state and state[0] in MULTIPATHD_READY:
            return
        if time.monotonic() >= deadline:
            raise HostError('multipathd did not finish reading its configuration within %d s (show daemon: %s)'
                            % (seconds, (out or '').strip() or 'no answer'), **result)
        time.sleep(1)


def main():
    run_host_module(AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                                  required_if=[('state', 'present', ['multipath_conf_content'])]), run)


if __name__ == '__main__':
    main()
