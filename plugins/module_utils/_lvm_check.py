# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The LVM preflight of iscsi_host_config run on the host, and its fix (``_lvm`` says why)."""

from __future__ import annotations

import os

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import CommandError, HostError
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils import _lvm

LVMLOCAL_CONF = '/etc/lvm/lvmlocal.conf'
C_LOCALE = {'LC_ALL': 'C', 'LANG': 'C'}


def _run(module, cmd, what):
    rc, out, err = module.run_command(cmd, environ_update=C_LOCALE)
    if rc != 0:
        raise CommandError('%s failed: %s' % (what, (err or out or '').strip()[:300]), cmd=cmd, rc=rc, stderr=err)
    return out


def read(module, lvm):
    """(pvs, config) as the host's own LVM configuration has them."""
    pvs = _lvm.parse_pvs(_run(module, _lvm.pvs_command(lvm), 'lvm pvs'))
    config = _lvm.parse_config(_run(module, _lvm.config_command(lvm), 'lvm lvmconfig'))
    return pvs, config


def check(module, *, targets, fix, sysfs='/sys', devices_dir=_lvm.DEFAULT_DEVICES_DIR, lvmlocal=LVMLOCAL_CONF):
    """The preflight: {'protection', 'seen_on_luns', 'fixed'}; None when LVM is not installed.
    A VG on the data center's LUNs fails the host (HostError) unless ``fix`` (not in check mode)
    keeps it out, which is then verified by reading LVM again."""
    lvm = module.get_bin_path('lvm')
    if not lvm:
        return None
    pvs, config = read(module, lvm)
    found = _lvm.on_luns(pvs, _lvm.lun_devices(targets, sysfs=sysfs))
    result = {'protection': _lvm.protection(config, devices_dir), 'seen_on_luns': found, 'fixed': []}
    if not found and result['protection']:
        return result
    if not fix:
        if found:
            raise HostError(_lvm.preflight_message(found), lvm=result)
        module.warn(_lvm.unprotected_warning())
        return result
    if module.check_mode:
        result['fixed'] = ['(check mode) would keep LVM off the LUNs with its devices file']
        return result
    result['fixed'] = apply(module, lvm, pvs, found, config, devices_dir=devices_dir, lvmlocal=lvmlocal)
    pvs, config = read(module, lvm)
    still = _lvm.on_luns(pvs, _lvm.lun_devices(targets, sysfs=sysfs))
    result.update(protection=_lvm.protection(config, devices_dir), seen_on_luns=still)
    if still:
        raise HostError('after the fix (%s) ' % '; '.join(result['fixed']) + _lvm.preflight_message(still), lvm=result)
    return result


def apply(module, lvm, pvs, found, config, *, devices_dir, lvmlocal):
    """Keep the LUNs' PVs out of LVM's devices file and turn the file on: what was done, in order."""
    done = []
    devices_file = os.path.join(devices_dir, config.get('devicesfile') or 'system.devices')
    if config.get('use_devicesfile') == '1' and os.path.exists(devices_file):
        # The file is in use and lists the LUNs (imported earlier): only those entries go.
        for pv in found:
            _run(module, [lvm, 'lvmdevices', '--deldev', pv['pv']], 'lvmdevices --deldev %s' % pv['pv'])
            done.append('%s removed from %s' % (pv['pv'], devices_file))
        return done
    for vg in _lvm.host_vgs(pvs, found):
        _run(module, [lvm, 'vgimportdevices', vg, '--config', 'devices { use_devicesfile = 1 }'], 'vgimportdevices %s' % vg)
        done.append('VG %s of the host imported into %s' % (vg, devices_file))
    if not os.path.exists(devices_file):
        # Without the file LVM ignores use_devicesfile and reads every device: one that lists none.
        os.makedirs(devices_dir, exist_ok=True)
        with open(devices_file, 'w', encoding='utf-8') as handle:
            handle.write('# Written by ovirt_iscsi.multipath: the host has no VG of its own; the data center\'s LUNs stay out.\n')
        done.append('%s written listing no device' % devices_file)
    if config.get('use_devicesfile') != '1':
        try:
            with open(lvmlocal, encoding='utf-8') as handle:
                text = handle.read()
        except FileNotFoundError:
            text = ''
        new = _lvm.with_devicesfile_block(text)
        if new is not None:
            with open(lvmlocal + '.ovirt_iscsi.tmp', 'w', encoding='utf-8') as handle:
                handle.write(new)
            os.chmod(lvmlocal + '.ovirt_iscsi.tmp', 0o644)
            module.atomic_move(lvmlocal + '.ovirt_iscsi.tmp', lvmlocal)
        done.append('devices/use_devicesfile = 1 set in %s' % lvmlocal)
    return done
