# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iscsi_host_config's run(): a failure after a write is a HostError that says what was written."""

from __future__ import annotations

import os
import shutil

import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import HostError
from ansible_collections.ovirt_iscsi.multipath.plugins.modules import iscsi_host_config


# The audits' options at their defaults; lvm is not installed (get_bin_path), multipathd's audit finds it stopped.
AUDITS = dict(multipath_audit='refuse', queueing={'no_path_retry': 16, 'polling_interval': 5}, lvm_targets=[], lvm_fix=False)


class FakeModule:
    """Tools installed; systemctl says every service is stopped and fails to start iscsid."""

    check_mode = False
    _diff = False

    def __init__(self, tmp_path):
        self.params = dict(state='present', record_file=str(tmp_path / 'record.json'),
                           iscsid_conf=str(tmp_path / 'iscsid.conf'), iscsid_settings={'node.session.timeo.replacement_timeout': 5},
                           multipath_conf=str(tmp_path / 'multipath.conf'), multipath_conf_content='defaults {}\n',
                           multipath_dropin=str(tmp_path / 'dropin.conf'), multipath_dropin_content='', services=['iscsid'],
                           lock_file=str(tmp_path / 'lock'), lock_timeout=5,
                           **AUDITS)
        self.commands = []

    def get_bin_path(self, name, required=False):
        return None if name == 'lvm' else '/usr/bin/' + name

    def run_command(self, cmd, environ_update=None):
        self.commands.append(cmd[1:])
        if cmd[1:3] == ['show', 'config']:
            # multipathd's audit: not answering (not running), so nothing to audit.
            return 1, '', 'error connecting'
        if cmd[1] == 'show':
            return 0, ''.join('Id=%s.service\nActiveState=inactive\nUnitFileState=disabled\n\n' % unit for unit in cmd[4:]), ''
        return 1, '', 'Job for iscsid.service failed\n'

    def atomic_move(self, source, target):
        shutil.move(source, target)


def test_a_failed_start_after_the_writes_fails_the_task_saying_what_was_written(tmp_path):
    module = FakeModule(tmp_path)
    with pytest.raises(HostError) as caught:
        iscsi_host_config.run(module)
    result = caught.value.result()
    assert result['msg'] == 'systemctl enable --now iscsid failed: Job for iscsid.service failed'
    assert result['changed'] is True
    assert sorted(result['written']) == sorted([module.params['multipath_conf'], module.params['iscsid_conf']])
    assert os.path.exists(module.params['multipath_conf'])


def test_check_mode_reads_only(tmp_path):
    module = FakeModule(tmp_path)
    module.check_mode = True
    result = iscsi_host_config.run(module)
    assert result['changed'] is True and len(result['written']) == 2
    # Only multipathd's configuration was read (the audit); systemctl was not asked.
    assert module.commands == [['show', 'config', 'local']] and not os.path.exists(module.params['multipath_conf'])
