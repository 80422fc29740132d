# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""lab target stop|start: tgtd configured again from the running lab's facts (no lab needed)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lablib import target  # noqa: E402  pylint: disable=wrong-import-position


def _facts(tmp_path):
    secret = tmp_path / 'chap-storage2.secret'
    secret.write_text('s3cretS3cretXYZ1\n')
    lun = tmp_path / 'target1-lun1.img'
    lun.write_bytes(b'data written before the stop')
    return {'pid': 1, 'control_port': 1234, 'portals': ['198.18.0.1:3260', '198.18.1.1:3260'], 'targets': [
        {'iqn': 'iqn.x:storage1', 'tid': 1, 'chap_user': None, 'chap_secret_file': None, 'luns': [
            {'lun': 1, 'size_mb': 64, 'wwid': target.wwid(1, 1), 'backing_file': str(lun)},
            {'lun': 3, 'size_mb': 8, 'wwid': target.wwid(1, 3), 'backing_file': str(tmp_path / 't1-l3.img'), 'added': True}]},
        {'iqn': 'iqn.x:storage2', 'tid': 2, 'chap_user': 'labchap', 'chap_secret_file': str(secret), 'luns': []}]}


def test_start_again_configures_every_portal_target_added_lun_and_chap_account(tmp_path):
    facts = _facts(tmp_path)
    commands = [' '.join(c[5:]) for c in target.configure_commands(facts)]
    assert all(c[:5] == ['tgtadm', '--control-port', '1234', '--lld', 'iscsi'] for c in target.configure_commands(facts))
    assert commands == [
        '--mode portal --op new --param portal=198.18.1.1:3260',   # the first portal is tgtd's own
        '--mode target --op new --tid 1 --targetname iqn.x:storage1',
        '--mode logicalunit --op new --tid 1 --lun 1 --backing-store %s' % (tmp_path / 'target1-lun1.img'),
        '--mode logicalunit --op new --tid 1 --lun 3 --backing-store %s' % (tmp_path / 't1-l3.img'),
        '--mode target --op bind --tid 1 --initiator-address ALL',
        '--mode target --op new --tid 2 --targetname iqn.x:storage2',
        '--mode target --op bind --tid 2 --initiator-address ALL',
        '--mode account --op new --user labchap --password s3cretS3cretXYZ1',
        '--mode account --op bind --tid 2 --user labchap']
    # The LUN's data stays: a controller coming back serves what was written before it went.
    assert (tmp_path / 'target1-lun1.img').read_bytes() == b'data written before the stop'


def test_start_again_launches_tgtd_on_the_first_portal_and_records_its_pid(tmp_path, monkeypatch):
    facts = _facts(tmp_path)
    launched, ran = [], []

    class Proc:  # pylint: disable=too-few-public-methods
        pid = 4321

    monkeypatch.setattr(target, '_launch', lambda *args: launched.append(args) or Proc())
    monkeypatch.setattr(target.net, 'run', ran.append)
    assert target.start_again(facts, 'ns', str(tmp_path)) == 4321
    assert launched == [('ns', str(tmp_path), 1234, '198.18.0.1:3260')]
    assert ran == target.configure_commands(facts) and facts['pid'] == 4321


def test_a_reused_lun_number_gets_another_identity_and_keeps_it_when_tgtd_starts_again(tmp_path, monkeypatch):
    facts = _facts(tmp_path)
    ran = []
    monkeypatch.setattr(target.net, 'run', lambda argv, check=True: ran.append(argv) or type('P', (), {'returncode': 0})())
    old, lun = target.reuse_lun(facts, str(tmp_path), 'iqn.x:storage1', 1, 16)
    assert old['wwid'] == target.wwid(1, 1) and lun['wwid'] == '360000000000000000e0000000001b101' != old['wwid']
    assert [' '.join(c[5:9]) for c in ran] == ['--mode logicalunit --op delete', '--mode logicalunit --op new',
                                               '--mode logicalunit --op update']
    assert ran[2][-1] == 'scsi_id=IET     0001b101,scsi_sn=reused1', 'tgtd builds the NAA of VPD 0x83 from scsi_id'
    assert not (tmp_path / 'target1-lun1.img').exists() and os.path.getsize(lun['backing_file']) == 16 * 1024 * 1024
    assert facts['targets'][0]['luns'][0] is lun
    commands = [' '.join(c[5:]) for c in target.configure_commands(facts)]
    assert '--mode logicalunit --op update --tid 1 --lun 1 --params scsi_id=IET     0001b101,scsi_sn=reused1' in commands
    assert target.reuse_lun(facts, str(tmp_path), 'iqn.x:storage1', 1, 16)[1]['wwid'] == '360000000000000000e0000000001b201'
