# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iscsi_host_config keeps what its files replace in the host's record, and state=absent puts it
back: the block out of iscsid.conf, multipath.conf as it was (never VDSM's), the drop-in gone, then
the record. Files under tmp_path; systemctl faked (every service running)."""

from __future__ import annotations

import json
import shutil

import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_config import (
    BLOCK_BEGIN, absent_plan, recorded_files, with_block)
from ansible_collections.ovirt_iscsi.multipath.plugins.modules import iscsi_host_config

ISCSID = '# iscsid.conf as Debian ships it\nnode.startup = manual\nnode.session.timeo.replacement_timeout = 120\n'
ADMINS = '# the admin\'s own\ndefaults {\n    find_multipaths no\n}\n'
OURS = ('# Managed by Ansible: changes made here by hand are overwritten.\n'
        '# Written by ovirt_iscsi.multipath.iscsi_paths on a host where VDSM does not own this file.\ndefaults {\n}\n')
VDSMS = '# VDSM REVISION 2.2\n# VDSM PRIVATE\ndefaults {\n    polling_interval 5\n}\n'
DROPIN = '# Written by ovirt_iscsi.multipath.iscsi_paths. VDSM owns /etc/multipath.conf\ndefaults {\n}\n'


# The audits' options at their defaults; lvm is not installed (get_bin_path), multipathd's audit finds it stopped.
AUDITS = dict(multipath_audit='refuse', queueing={'no_path_retry': 16, 'polling_interval': 5}, lvm_targets=[], lvm_fix=False)


class FakeModule:
    _diff = False

    def __init__(self, tmp_path, state='present', check_mode=False, **params):
        self.tmp = tmp_path
        self.check_mode = check_mode
        self.params = dict(state=state, record_file=str(tmp_path / 'record.json'), iscsid_conf=str(tmp_path / 'iscsid.conf'),
                           iscsid_settings={'node.session.timeo.replacement_timeout': 1}, multipath_conf=str(tmp_path / 'multipath.conf'),
                           multipath_conf_content=OURS, multipath_dropin=str(tmp_path / 'dropin.conf'), multipath_dropin_content=DROPIN,
                           services=['iscsid', 'multipathd'], lock_file=str(tmp_path / 'lock'), lock_timeout=5,
                           **AUDITS)
        self.params.update(params)
        self.commands = []

    def get_bin_path(self, name, required=False):
        return None if name == 'lvm' else '/usr/bin/' + name

    def run_command(self, cmd, environ_update=None):
        self.commands.append(cmd[1:])
        if cmd[1:3] == ['show', 'config']:
            # multipathd's audit: not answering (not running), so nothing to audit.
            return 1, '', 'error connecting'
        if cmd[1] == 'is-active':
            return 0, 'active\n', ''
        if cmd[1:3] == ['show', '-p']:
            return 0, ''.join('Id=%s.service\nActiveState=active\nUnitFileState=enabled\n\n' % unit for unit in cmd[4:]), ''
        if cmd[1:3] == ['show', 'daemon']:
            return 0, 'pid 1 idle\n', ''
        return 0, '', ''

    def atomic_move(self, source, target):
        shutil.move(source, target)

    def path(self, name):
        return self.tmp / name


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(iscsi_host_config.time, 'sleep', lambda seconds: None)


def files(tmp_path, **content):
    for name, text in content.items():
        (tmp_path / name).write_text(text)


def snapshot(tmp_path):
    return dict((p.name, p.read_text()) for p in sorted(tmp_path.iterdir()) if p.name != 'lock')


@pytest.mark.parametrize('multipath', [None, ADMINS])
def test_present_then_absent_leaves_the_host_as_it_was(tmp_path, multipath):
    files(tmp_path, **{'iscsid.conf': ISCSID})
    if multipath is not None:
        files(tmp_path, **{'multipath.conf': multipath})
    before = snapshot(tmp_path)
    iscsi_host_config.run(FakeModule(tmp_path))
    record = json.loads((tmp_path / 'record.json').read_text())
    assert record['files'] == {str(tmp_path / 'iscsid.conf'): {'kind': 'block'},
                               str(tmp_path / 'multipath.conf'): {'kind': 'file', 'before': multipath}}
    assert BLOCK_BEGIN in (tmp_path / 'iscsid.conf').read_text() and (tmp_path / 'multipath.conf').read_text() == OURS
    result = iscsi_host_config.run(FakeModule(tmp_path, state='absent'))
    assert snapshot(tmp_path) == before
    assert [r['action'] for r in result['removed']] == ['its block removed', 'removed' if multipath is None else 'restored as it was before',
                                                        'removed']
    assert result['removed'][-1]['path'] == str(tmp_path / 'record.json')


def test_absent_restarts_iscsid_only_if_it_runs_and_reloads_a_running_multipathd(tmp_path):
    files(tmp_path, **{'iscsid.conf': with_block(ISCSID, {'a': 1}), 'multipath.conf': OURS})
    module = FakeModule(tmp_path, state='absent')
    iscsi_host_config.run(module)
    assert ['try-restart', 'iscsid'] in module.commands and ['reload', 'multipathd'] in module.commands
    assert not [c for c in module.commands if c[0] in ('stop', 'disable', 'enable', 'start')], 'services are left as they are'


def test_vdsms_multipath_conf_is_never_touched_and_only_the_drop_in_leaves(tmp_path):
    files(tmp_path, **{'iscsid.conf': ISCSID, 'multipath.conf': VDSMS})
    iscsi_host_config.run(FakeModule(tmp_path))
    assert (tmp_path / 'dropin.conf').read_text() == DROPIN and (tmp_path / 'multipath.conf').read_text() == VDSMS
    result = iscsi_host_config.run(FakeModule(tmp_path, state='absent'))
    assert snapshot(tmp_path) == {'iscsid.conf': ISCSID, 'multipath.conf': VDSMS}
    assert str(tmp_path / 'multipath.conf') not in [r['path'] for r in result['removed']]


def test_the_record_keeps_what_the_other_module_listed_and_stays_while_it_lists_anything(tmp_path):
    files(tmp_path, **{'iscsid.conf': ISCSID, 'record.json': json.dumps({'ifaces': ['ens4'], 'nodes': []})})
    iscsi_host_config.run(FakeModule(tmp_path))
    assert json.loads((tmp_path / 'record.json').read_text())['ifaces'] == ['ens4']
    iscsi_host_config.run(FakeModule(tmp_path, state='absent'))
    assert json.loads((tmp_path / 'record.json').read_text()) == {'ifaces': ['ens4'], 'nodes': []}


def test_check_mode_writes_nothing_and_says_what_it_would_remove(tmp_path):
    files(tmp_path, **{'iscsid.conf': ISCSID})
    iscsi_host_config.run(FakeModule(tmp_path))
    converged = snapshot(tmp_path)
    module = FakeModule(tmp_path, state='absent', check_mode=True)
    result = iscsi_host_config.run(module)
    assert snapshot(tmp_path) == converged and module.commands == []
    assert result['changed'] and [r['action'] for r in result['removed']] == ['its block removed', 'removed', 'removed']


def test_absent_on_a_host_it_never_touched_changes_nothing(tmp_path):
    files(tmp_path, **{'iscsid.conf': ISCSID, 'multipath.conf': ADMINS})
    module = FakeModule(tmp_path, state='absent')
    result = iscsi_host_config.run(module)
    assert not result['changed'] and result['removed'] == [] and module.commands == []


def test_a_file_an_earlier_version_wrote_without_recording_is_removed_one_that_is_not_its_own_stays():
    current = {'/i': ISCSID, '/m': OURS, '/d': None}
    assert absent_plan(current, {}, iscsid_conf='/i', conf_path='/m', dropin_path='/d') == (
        {'/m': None}, [{'path': '/m', 'action': 'removed'}])
    assert absent_plan(dict(current, **{'/m': ADMINS}), {}, iscsid_conf='/i', conf_path='/m', dropin_path='/d') == ({}, [])


def test_the_record_keeps_what_a_file_replaced_once_and_forgets_a_file_removed():
    current = {'/m': ADMINS, '/d': None, '/i': ISCSID}
    first = recorded_files({}, {'/m': OURS, '/i': with_block(ISCSID, {'a': 1})}, current, iscsid_conf='/i')
    assert first == {'/m': {'kind': 'file', 'before': ADMINS}, '/i': {'kind': 'block'}}
    again = recorded_files(first, {'/m': OURS + '#\n'}, dict(current, **{'/m': OURS}), iscsid_conf='/i')
    assert again == first, 'what it replaced the first time stays'
    assert recorded_files(first, {'/i': ISCSID, '/d': None}, current, iscsid_conf='/i') == {'/m': first['/m']}
    # A file an earlier version wrote (its marker, no record): nothing of the host's own to keep.
    assert recorded_files({}, {'/m': OURS}, {'/m': OURS.replace('{\n}', '{ }')}, iscsid_conf='/i') == {'/m': {'kind': 'file', 'before': None}}
