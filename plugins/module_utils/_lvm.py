# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's LVM kept off the data center's LUNs: its parsers, the preflight and the fix.

What production taught (read in oVirt/vdsm, recent snapshot; no code taken): a host whose LVM
scans every device sees the volume groups on shared LUNs, those of storage domains and those
guests made inside their disks, and activates, caches or even "repairs" their metadata behind
the back of the host that owns them (https://bugzilla.redhat.com/1449968, quoted by
``lib/vdsm/storage/lvmfilter.py``). VDSM answers with ``vdsm-tool config-lvm-filter``
(``lib/vdsm/tool/config_lvm_filter.py``): it reports first and configures only when told to
(``-y``), either a filter accepting the host's own devices (``lvmfilter.py``) or, now, LVM's
devices file (``lib/vdsm/storage/lvmdevices.py``): the host's own volume groups imported with
``vgimportdevices``, ``use_devicesfile = 1`` set, and a devices file written even when it lists
no device, because LVM ignores ``use_devicesfile`` while the file is missing and scans everything
(seen in the lab too: lvm 2.03.16 with the setting on and no file listed the LUN's VG; a file of
one comment line hid it). Its newer ``_create_system_devices`` also imports every VG visible at
that moment except those tagged ``RHAT_storage_domain``, which would import a guest's VG on a LUN:
here the VGs on the data center's LUNs are never imported, whatever their tags.

The preflight judges what LVM sees now with the host's own configuration (``lvm pvs``): a
physical volume on a LUN of the data center's targets (its multipath map or one of its SCSI
disks, found in sysfs) fails the host, naming the VG and the map. A host whose LVM would see
such a VG once it appears (no devices file, no rejecting filter) is warned.
"""

from __future__ import annotations

import glob
import json
import os

DEFAULT_DEVICES_DIR = '/etc/lvm/devices'
# The tag VDSM puts on a storage domain's VG (vdsm lib/vdsm/storage/constants.py STORAGE_DOMAIN_TAG).
STORAGE_DOMAIN_TAG = 'RHAT_storage_domain'
CONFIG_KEYS = ('devices/use_devicesfile', 'devices/devicesfile', 'devices/filter', 'devices/global_filter')
# lvmlocal.conf is read over lvm.conf: the setting goes there, between markers, so that it is ours to find.
BLOCK_BEGIN = '# BEGIN ovirt_iscsi.multipath: LVM uses its devices file (the data center\'s LUNs stay out)'
BLOCK_END = '# END ovirt_iscsi.multipath'


class LvmError(Exception):
    """An lvm command failed or printed what cannot be read."""


def pvs_command(lvm):
    return [lvm, 'pvs', '--readonly', '--reportformat', 'json', '-o', 'pv_name,vg_name,vg_tags']


def config_command(lvm):
    return [lvm, 'lvmconfig', '--typeconfig', 'full'] + list(CONFIG_KEYS)


def parse_pvs(text):
    """``lvm pvs --reportformat json`` -> [{'pv', 'vg' (None when in no VG), 'tags'}]."""
    try:
        reports = json.loads(text)['report']
    except (ValueError, KeyError, TypeError) as exc:
        raise LvmError('lvm pvs printed no JSON report: %s' % exc) from None
    pvs = []
    for report in reports:
        for pv in report.get('pv', []):
            tags = [tag for tag in (pv.get('vg_tags') or '').split(',') if tag]
            pvs.append({'pv': pv['pv_name'], 'vg': pv.get('vg_name') or None, 'tags': tags})
    return pvs


def parse_config(text):
    """``lvm lvmconfig`` lines ``key=value`` -> {key: value}; quoted strings unquoted, lists as lists."""
    values = {}
    for line in (text or '').splitlines():
        key, sep, value = line.strip().partition('=')
        if not sep:
            continue
        value = value.strip()
        if value.startswith('['):
            try:
                values[key] = json.loads(value)
            except ValueError:
                values[key] = [value]
        else:
            values[key] = value.strip('"')
    return values


def rejects_devices(filters):
    """A filter with a reject item: the host chose which devices LVM reads (VDSM's filter ends in r|.*|)."""
    return any(item.lstrip().startswith('r') for item in filters or [])


def protection(config, devices_dir=DEFAULT_DEVICES_DIR, exists=os.path.exists):
    """How this host keeps devices from LVM: 'devices file PATH', 'filter', or None (it reads everything)."""
    path = os.path.join(devices_dir, config.get('devicesfile') or 'system.devices')
    if config.get('use_devicesfile') == '1' and exists(path):
        return 'devices file %s' % path
    if rejects_devices(config.get('filter')) or rejects_devices(config.get('global_filter')):
        return 'filter'
    return None


def lun_devices(targets, sysfs='/sys'):
    """{kernel name: multipath map name or None} of every SCSI disk of a session to one of
    ``targets`` (IQNs, without case) and of every device-mapper device holding one (its map)."""
    wanted = set(t.lower() for t in targets)
    devices = {}
    for session in glob.glob(os.path.join(sysfs, 'class/iscsi_session/session*')):
        try:
            with open(os.path.join(session, 'targetname'), encoding='utf-8') as handle:
                target = handle.read().strip().lower()
        except OSError:
            continue
        if target not in wanted:
            continue
        for block in glob.glob(os.path.join(session, 'device/target*/*:*:*:*/block/*')):
            disk = os.path.basename(block)
            devices.setdefault(disk, None)
            for holder in glob.glob(os.path.join(sysfs, 'block', disk, 'holders', '*')):
                name = os.path.basename(holder)
                try:
                    with open(os.path.join(sysfs, 'block', name, 'dm/name'), encoding='utf-8') as handle:
                        devices[name] = devices[disk] = handle.read().strip()
                except OSError:
                    devices[name] = None
    return devices


def on_luns(pvs, luns, resolve=None):
    """The PVs of ``pvs`` on one of ``luns`` (lun_devices), each with its 'map' (or disk)."""
    found = []
    for pv in pvs:
        name = os.path.basename((resolve or os.path.realpath)(pv['pv']))
        if name in luns:
            found.append(dict(pv, map=luns[name] or name))
    return found


def preflight_message(found):
    """Why the host is failed: each VG with the map it lives on."""
    parts = ['VG %s on %s (%s)' % (pv['vg'] or '(none)', pv['map'], pv['pv']) for pv in found]
    return ('the host\'s LVM sees the data center\'s LUNs: %s. LVM must not read shared LUNs (it activates or '
            'changes VGs another host owns; BZ 1449968): set iscsi_paths_lvm_fix (module option lvm_fix) to keep them '
            'out with LVM\'s devices file (as vdsm-tool config-lvm-filter does), or do it by hand: vgimportdevices '
            'each VG of the host itself, set devices/use_devicesfile = 1, lvmdevices --deldev each of those PVs'
            % '; '.join(parts))


def unprotected_warning():
    return ('the host\'s LVM has no devices file and no filter: it will read every VG on the data center\'s LUNs once '
            'they appear (BZ 1449968); iscsi_paths_lvm_fix (module option lvm_fix) makes its devices file')


def host_vgs(pvs, found):
    """The VGs the devices file keeps: every VG LVM sees, but none on the data center's LUNs nor a storage domain's."""
    shared = set(pv['vg'] for pv in found)
    return sorted(set(pv['vg'] for pv in pvs if pv['vg'] and pv['vg'] not in shared and STORAGE_DOMAIN_TAG not in pv['tags']))


def with_devicesfile_block(text):
    """lvmlocal.conf's ``text`` with our block setting use_devicesfile = 1 (at the end when new)."""
    lines = (text or '').splitlines()
    if BLOCK_BEGIN in lines:
        return None
    block = [BLOCK_BEGIN, 'devices {', '\tuse_devicesfile = 1', '}', BLOCK_END]
    return '\n'.join(lines + block) + '\n'
