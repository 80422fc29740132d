# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/lab/lab lun add|remove: the argument checks, the tgtadm call, the WWID and the state
it records, without a running target (tgtadm is replaced)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess

import pytest

from lablib import cli, config, net, state, target

STORAGE1 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage1'
STORAGE2 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage2'


def _facts(tmp_path):
    def lun(tid, number, size):
        return {'lun': number, 'size_mb': size, 'wwid': target.wwid(tid, number),
                'backing_file': str(tmp_path / ('target%d-lun%d.img' % (tid, number)))}
    return {'pid': 1, 'control_port': 4242, 'portals': ['198.18.4.1:3260', '198.18.4.2:3260'], 'targets': [
        {'iqn': STORAGE1, 'tid': 1, 'portals': [], 'luns': [lun(1, 1, 1024), lun(1, 2, 512)],
         'chap_user': None, 'chap_secret_file': None},
        {'iqn': STORAGE2, 'tid': 2, 'portals': [], 'luns': [lun(2, 1, 1024)],
         'chap_user': 'labchap', 'chap_secret_file': '/run/x/chap-storage2.secret'},
    ]}


@pytest.fixture(name='tgtadm')
def fixture_tgtadm(monkeypatch):
    """The tgtadm calls made, each answered with rc 0 (or the rc the test sets)."""
    calls = []
    answer = {'rc': 0}

    def run(cmd, check=True):
        calls.append(cmd)
        proc = subprocess.CompletedProcess(cmd, answer['rc'], '', 'tgtadm: bad thing' if answer['rc'] else '')
        if check and answer['rc']:
            raise net.NetError('tgtadm failed')
        return proc
    monkeypatch.setattr(net, 'run', run)
    return calls, answer


def test_the_wwid_is_naa_6_from_tid_and_lun_in_hex():
    assert target.wwid(1, 3) == '360000000000000000e00000000010003'
    assert target.wwid(2, 0x1f) == '360000000000000000e0000000002001f'
    assert len(target.wwid(1, 3)) == 33


@pytest.mark.parametrize('iqn, size, message', [
    ('iqn.2026-11.test.ovirt-iscsi-lab:storage9', 10, 'unknown target iqn.2026-11.test.ovirt-iscsi-lab:storage9 '
                                                      r'\(running: .*:storage1, .*:storage2\)'),
    (STORAGE1, 0, '--size-mb 0: a whole number of MiB from 1 to 65536'),
    (STORAGE1, -5, '--size-mb -5'),
    (STORAGE1, 65537, '--size-mb 65537'),
    (STORAGE1, True, '--size-mb True'),
    (STORAGE1, '10', "--size-mb '10'"),
])
def test_lun_add_refuses_an_unknown_target_or_a_bad_size(tmp_path, iqn, size, message):
    with pytest.raises(target.TargetError, match=message):
        target.new_lun(_facts(tmp_path)['targets'], iqn, size)


def test_the_next_lun_follows_the_targets_highest_and_the_numbers_run_out(tmp_path):
    facts = _facts(tmp_path)
    assert target.new_lun(facts['targets'], STORAGE1, 1)[1] == 3
    assert target.new_lun(facts['targets'], STORAGE2, 1)[1] == 2
    facts['targets'][0]['luns'].append({'lun': 255})
    with pytest.raises(target.TargetError, match='no LUN number left after 255'):
        target.new_lun(facts['targets'], STORAGE1, 1)


@pytest.mark.parametrize('iqn, number, message', [
    (STORAGE1, 7, 'target .*:storage1 has no LUN 7 \\(its LUNs: 1, 2\\)'),
    (STORAGE1, 0, 'has no LUN 0'),
    ('iqn.x:y', 1, 'unknown target iqn.x:y'),
])
def test_lun_remove_refuses_a_lun_the_target_does_not_have(tmp_path, iqn, number, message):
    with pytest.raises(target.TargetError, match=message):
        target.lun_to_remove(_facts(tmp_path)['targets'], iqn, number)


def test_lun_add_makes_the_backing_file_calls_tgtadm_and_records_the_lun(tmp_path, tgtadm):
    calls, _answer = tgtadm
    facts = _facts(tmp_path)
    lun = target.add_lun(facts, str(tmp_path), STORAGE1, 64)
    backing = str(tmp_path / 'target1-lun3.img')
    assert lun == {'lun': 3, 'size_mb': 64, 'wwid': '360000000000000000e00000000010003', 'backing_file': backing, 'added': True}
    assert os.path.getsize(backing) == 64 * 1024 * 1024
    assert calls == [['tgtadm', '--control-port', '4242', '--lld', 'iscsi', '--mode', 'logicalunit', '--op', 'new',
                      '--tid', '1', '--lun', '3', '--backing-store', backing]]
    assert facts['targets'][0]['luns'][-1] is lun
    target.remove_lun(facts, STORAGE1, 3)
    assert calls[-1][5:] == ['--mode', 'logicalunit', '--op', 'delete', '--tid', '1', '--lun', '3']
    assert not os.path.exists(backing) and [x['lun'] for x in facts['targets'][0]['luns']] == [1, 2]


def test_a_lun_tgtd_refuses_leaves_no_file_and_no_record(tmp_path, tgtadm):
    _calls, answer = tgtadm
    answer['rc'] = 22
    facts = _facts(tmp_path)
    with pytest.raises(net.NetError, match='tgtadm: LUN 2 of .*storage2: tgtadm: bad thing'):
        target.add_lun(facts, str(tmp_path), STORAGE2, 8)
    assert not os.path.exists(tmp_path / 'target2-lun2.img') and len(facts['targets'][1]['luns']) == 1


def test_lab_lun_add_prints_the_wwid_and_state_and_inventory_show_the_lun(tmp_path, tgtadm, monkeypatch, capsys):
    monkeypatch.setattr(cli, 'paths', lambda desc: ('ns', str(tmp_path), str(tmp_path)))
    monkeypatch.setattr(cli.Lab, 'lock', lambda self: None)
    desc = config.load_layout('shared-subnet')
    hosts = config.plan(desc, 2)
    current = state.build(desc, 'ns', str(tmp_path), str(tmp_path), hosts, _facts(tmp_path), '/run/ns/ssh_config',
                          '/run/ns/key', {h['name']: 1 for h in hosts})
    current.update(run_dir=str(tmp_path), inventory=str(tmp_path / 'inventory.yml'))
    state.write(str(tmp_path), current)
    assert cli.main(['lun', 'add', STORAGE2, '--size-mb', '16']) == 0
    assert capsys.readouterr().out == target.wwid(2, 2) + '\n'
    assert tgtadm[0][-1][-4:] == ['--lun', '2', '--backing-store', str(tmp_path / 'target2-lun2.img')]
    written = state.read(str(tmp_path))
    assert written['layout'] == 'shared-subnet'
    assert written['target']['targets'][1]['luns'][-1]['wwid'] == target.wwid(2, 2)
    [storage2] = [t for t in state.inventory(written)['all']['vars']['lab_targets'] if t['iqn'] == STORAGE2]
    assert storage2['luns'][-1] == {'lun': 2, 'wwid': target.wwid(2, 2), 'size_mb': 16, 'added': True}
    assert cli.main(['lun', 'remove', STORAGE2, '2']) == 0
    assert [x['lun'] for x in state.read(str(tmp_path))['target']['targets'][1]['luns']] == [1]
    assert cli.main(['lun', 'remove', STORAGE2, '2']) == 1
    assert 'has no LUN 2 (its LUNs: 1)' in capsys.readouterr().err


def test_lab_lun_add_needs_a_size_and_a_running_lab(tmp_path, monkeypatch, capsys):
    with pytest.raises(SystemExit):
        cli.parser().parse_args(['lun', 'add', STORAGE1])
    assert '--size-mb' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.parser().parse_args(['lun', 'remove', STORAGE1, 'one'])
    monkeypatch.setattr(cli, 'paths', lambda desc: ('ns', str(tmp_path), str(tmp_path)))
    monkeypatch.setattr(cli.Lab, 'lock', lambda self: None)
    assert cli.main(['lun', 'add', STORAGE1, '--size-mb', '8']) == 1
    assert 'no lab is up' in capsys.readouterr().err
