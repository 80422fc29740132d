# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LVM kept off the data center's LUNs: parsers on lvm output captured on the lab, sysfs, the check and its fix."""

from __future__ import annotations

import os

import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils import _lvm, _lvm_check
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import HostError
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.host_fixtures import fixture_text

T1 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage1'
MAP = '360000000000000000e00000000010002'


def lvm_out(name):
    return fixture_text('host-config/lvm', name)


def fake_sysfs(root, target=T1):
    """One session to ``target`` with LUN disk sdc, held by dm-1 (the map MAP); a local disk vda."""
    disk = root / 'devices/platform/host2/session1/target2:0:0/2:0:0:2/block/sdc'
    disk.mkdir(parents=True)
    session = root / 'class/iscsi_session/session1'
    session.mkdir(parents=True)
    (session / 'targetname').write_text(target.upper() + '\n')
    os.symlink(root / 'devices/platform/host2/session1', session / 'device')
    (root / 'block/sdc/holders/dm-1').mkdir(parents=True)
    (root / 'block/dm-1/dm').mkdir(parents=True)
    (root / 'block/dm-1/dm/name').write_text(MAP + '\n')
    return str(root)


def test_parsers_on_captured_output():
    assert _lvm.parse_pvs(lvm_out('pvs-lun-vg')) == [{'pv': '/dev/mapper/' + MAP, 'vg': 'lessons_vg', 'tags': []}]
    assert _lvm.parse_pvs(lvm_out('pvs-lun-vg-tagged'))[0]['tags'] == [_lvm.STORAGE_DOMAIN_TAG]
    assert _lvm.parse_pvs(lvm_out('pvs-devicesfile-empty')) == []
    stock = _lvm.parse_config(lvm_out('config-stock'))
    assert stock == {'use_devicesfile': '0', 'devicesfile': 'system.devices', 'filter': ['a|.*|'], 'global_filter': ['a|.*|']}
    assert _lvm.protection(stock, exists=lambda p: True) is None
    on = _lvm.parse_config(lvm_out('config-devicesfile'))
    assert _lvm.protection(on, exists=lambda p: True) == 'devices file /etc/lvm/devices/system.devices'
    # LVM ignores use_devicesfile while the file is missing (seen in the lab): not protected.
    assert _lvm.protection(on, exists=lambda p: False) is None
    assert _lvm.protection(dict(stock, global_filter=['a|^/dev/vda$|', 'r|.*|'])) == 'filter'
    with pytest.raises(_lvm.LvmError):
        _lvm.parse_pvs('  WARNING: something\n')


def test_lun_devices_and_the_pv_on_the_map(tmp_path):
    sysfs = fake_sysfs(tmp_path)
    luns = _lvm.lun_devices([T1], sysfs=sysfs)
    assert luns == {'sdc': MAP, 'dm-1': MAP}
    assert _lvm.lun_devices(['iqn.other:target'], sysfs=sysfs) == {}
    pvs = _lvm.parse_pvs(lvm_out('pvs-lun-vg')) + [{'pv': '/dev/vda2', 'vg': 'host_vg', 'tags': []}]
    found = _lvm.on_luns(pvs, luns, resolve=lambda p: '/dev/dm-1' if p.endswith(MAP) else p)
    assert found == [{'pv': '/dev/mapper/' + MAP, 'vg': 'lessons_vg', 'tags': [], 'map': MAP}]
    message = _lvm.preflight_message(found)
    assert 'VG lessons_vg on %s' % MAP in message and 'iscsi_paths_lvm_fix' in message
    # The host's own VG is kept, the LUN's and a storage domain's never.
    sd = {'pv': '/dev/sdz', 'vg': 'sd_vg', 'tags': [_lvm.STORAGE_DOMAIN_TAG]}
    assert _lvm.host_vgs(pvs + [sd], found) == ['host_vg']


def test_lvmlocal_block_is_added_once():
    text = _lvm.with_devicesfile_block('local {\n}\n')
    assert text.startswith('local {\n}\n' + _lvm.BLOCK_BEGIN) and '\tuse_devicesfile = 1\n' in text
    assert _lvm.with_devicesfile_block(text) is None


class FakeModule:
    """Answers lvm commands from the captured outputs: LVM sees the VG until ``devices_file`` exists."""

    def __init__(self, devices_file, *, check_mode=False):
        self.devices_file, self.check_mode = devices_file, check_mode
        self.calls, self.warnings = [], []

    def get_bin_path(self, name):
        return '/usr/sbin/lvm' if name == 'lvm' else None

    def warn(self, message):
        self.warnings.append(message)

    def atomic_move(self, src, dest):
        os.replace(src, dest)

    def run_command(self, cmd, environ_update=None):
        self.calls.append(cmd[1:])
        fixed = os.path.exists(self.devices_file)
        if cmd[1] == 'pvs':
            return 0, lvm_out('pvs-devicesfile-empty' if fixed else 'pvs-lun-vg'), ''
        if cmd[1] == 'lvmconfig':
            return 0, lvm_out('config-devicesfile' if fixed else 'config-stock'), ''
        return 0, '', ''


@pytest.fixture
def lun_is_dm1(monkeypatch):
    monkeypatch.setattr(_lvm.os.path, 'realpath', lambda p: '/dev/dm-1' if p.endswith(MAP) else p)


def test_check_fails_naming_vg_and_map_without_the_fix(tmp_path, lun_is_dm1):
    module = FakeModule(str(tmp_path / 'devices/system.devices'))
    with pytest.raises(HostError) as failure:
        _lvm_check.check(module, targets=[T1], fix=False, sysfs=fake_sysfs(tmp_path / 'sys'), devices_dir=str(tmp_path / 'devices'))
    assert 'VG lessons_vg on %s' % MAP in failure.value.msg
    assert [c[0] for c in module.calls] == ['pvs', 'lvmconfig']


def test_unprotected_host_without_a_vg_on_the_luns_is_warned(tmp_path, lun_is_dm1):
    module = FakeModule(str(tmp_path / 'devices/system.devices'))
    result = _lvm_check.check(module, targets=['iqn.other:target'], fix=False, sysfs=fake_sysfs(tmp_path / 'sys'),
                              devices_dir=str(tmp_path / 'devices'))
    assert result == {'protection': None, 'seen_on_luns': [], 'fixed': []}
    assert 'no devices file and no filter' in module.warnings[0]


def test_fix_writes_the_devices_file_and_the_block_then_reads_lvm_again(tmp_path, lun_is_dm1):
    lvmlocal = tmp_path / 'lvmlocal.conf'
    lvmlocal.write_text('local {\n}\n')
    module = FakeModule(str(tmp_path / 'devices/system.devices'))
    # No VG of the host: nothing is imported (the LUN's VG least of all); the file listing none is the fix.
    result = _lvm_check.check(module, targets=[T1], fix=True, sysfs=fake_sysfs(tmp_path / 'sys'),
                              devices_dir=str(tmp_path / 'devices'), lvmlocal=str(lvmlocal))
    assert (tmp_path / 'devices/system.devices').read_text().startswith('#')
    assert _lvm.BLOCK_BEGIN in lvmlocal.read_text()
    assert result['seen_on_luns'] == [] and len(result['fixed']) == 2, result
    assert [c[0] for c in module.calls] == ['pvs', 'lvmconfig', 'pvs', 'lvmconfig']


def test_fix_in_check_mode_changes_nothing(tmp_path, lun_is_dm1):
    module = FakeModule(str(tmp_path / 'devices/system.devices'), check_mode=True)
    result = _lvm_check.check(module, targets=[T1], fix=True, sysfs=fake_sysfs(tmp_path / 'sys'), devices_dir=str(tmp_path / 'devices'))
    assert result['fixed'] and not (tmp_path / 'devices').exists()
