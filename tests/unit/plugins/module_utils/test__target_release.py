# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A leaving target: which targets leave, what holds their storage, the refusal message."""

import os

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._target_release import (
    BlockDevices, leaving_targets, own_luns, refusal, who_holds)

T1 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage1'
T2 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage2'


def lun(wwid, mapname, *paths):
    return {'wwid': wwid, 'map': mapname, 'paths': [{'target': t, 'device': d} for t, d in paths]}


def fake_host(tmp_path, maps, holders=None, mounts=(), openers=None):
    """sysfs, /proc and /dev trees: maps {name: dm}, holders {dev: [dm]}, openers {pid: (comm, dev)}."""
    sys_block, proc, dev = tmp_path / 'sys', tmp_path / 'proc', tmp_path / 'dev'
    (dev / 'mapper').mkdir(parents=True)
    (proc / 'self').mkdir(parents=True)
    for name, dm in sorted(maps.items()):
        (sys_block / dm / 'dm').mkdir(parents=True)
        (sys_block / dm / 'holders').mkdir()
        (sys_block / dm / 'dm' / 'name').write_text(name + '\n')
        (sys_block / dm / 'dev').write_text('254:%s\n' % dm.split('-')[1])
        (dev / dm).write_text('')
        os.symlink('../%s' % dm, str(dev / 'mapper' / name))
    for device, held_by in (holders or {}).items():
        (sys_block / device / 'holders').mkdir(parents=True, exist_ok=True)
        for holder in held_by:
            (sys_block / device / 'holders' / holder).write_text('')
    (proc / 'self' / 'mountinfo').write_text(''.join(
        '36 25 %s / %s rw - ext4 /dev/x rw\n' % (numbers, point) for numbers, point in mounts))
    for pid, (comm, device) in (openers or {}).items():
        (proc / str(pid) / 'fd').mkdir(parents=True)
        (proc / str(pid) / 'comm').write_text(comm + '\n')
        os.symlink(str(dev / device), str(proc / str(pid) / 'fd' / '3'))
    return BlockDevices(sys_block=str(sys_block), proc=str(proc), dev=str(dev))


def test_a_target_leaves_only_when_no_desired_session_goes_to_it():
    stale = [{'target': T2.upper()}, {'target': T1}]
    desired = [{'target': T1}]
    assert leaving_targets(stale, desired) == [T2]
    assert leaving_targets(stale, desired + [{'target': T2}]) == []


def test_a_lun_another_target_also_serves_is_not_the_leaving_targets_own():
    luns = [lun('w1', 'm1', (T2, 'sdb'), (T2, 'sdc')), lun('w2', 'm2', (T2, 'sdd'), (T1, 'sde'))]
    assert [entry['wwid'] for entry in own_luns(luns, T2)] == ['w1']


def test_idle_storage_has_no_holders(tmp_path):
    devices = fake_host(tmp_path, {'m1': 'dm-0'}, holders={'sdb': ['dm-0']})
    # The map on the disk is the multipath stack itself, and multipathd's checker fd too.
    assert who_holds([lun('w1', 'm1', (T2, 'sdb'))], devices) == []


def test_a_process_a_mount_and_lvm_are_each_named(tmp_path):
    devices = fake_host(tmp_path, {'m1': 'dm-0', 'vg-lv': 'dm-1', 'm2': 'dm-2'}, holders={'dm-0': ['dm-1']},
                        mounts=[('254:2', '/mnt/data')], openers={4242: ('fio', 'dm-2'), 99: ('multipathd', 'dm-2')})
    held = who_holds([lun('w1', 'm1', (T2, 'sdb')), lun('w2', 'm2', (T2, 'sdc'))], devices)
    assert held == [('map m1 (w1)', ['device-mapper device vg-lv on it']),
                    ('map m2 (w2)', ['mounted on /mnt/data', 'open by fio (pid 4242)'])]
    message = refusal(T2, held)
    assert message.startswith('refused to release %s: map m1 (w1) is held: device-mapper device vg-lv on it' % T2)
    assert 'open by fio (pid 4242)' in message and 'nothing of it was changed' in message


def test_a_disk_opened_directly_is_named(tmp_path):
    devices = fake_host(tmp_path, {}, openers={77: ('dd', 'sdb')})
    (tmp_path / 'dev' / 'sdb').write_text('')
    assert who_holds([lun('w1', None, (T2, 'sdb'))], devices) == [('disk sdb (w1)', ['open by dd (pid 77)'])]
