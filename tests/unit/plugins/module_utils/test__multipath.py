# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""multipathd path table: command, parser, active state."""

from __future__ import annotations

import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils import _multipath
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.host_fixtures import fixture_text


def test_command_asks_for_the_fields_in_parser_order():
    cmd = _multipath.show_paths_command('/sbin/multipathd')
    assert cmd[:5] == ['/sbin/multipathd', 'show', 'paths', 'raw', 'format']
    assert cmd[5] == '%w|%d|%m|%t|%T|%o|%i'


def test_captured_table_has_two_active_paths_per_lun():
    paths = _multipath.parse_paths(fixture_text('multipathd', 'show-paths-raw'))
    by_wwid = {}
    for path in paths:
        by_wwid.setdefault(path['wwid'], []).append(path)
    assert by_wwid
    for wwid, members in by_wwid.items():
        assert len(members) == 2, wwid
        assert all(_multipath.path_is_active(p) for p in members)
        assert {p['map'] for p in members} == {wwid}, 'user_friendly_names no: the map is named by its WWID'


def test_captured_table_with_a_cut_network_shows_failed_paths():
    paths = _multipath.parse_paths(fixture_text('multipathd', 'show-paths-raw-cut'))
    failed = [p for p in paths if not _multipath.path_is_active(p)]
    assert failed and len(failed) < len(paths)
    # The cut shape as captured: the SCSI device still 'running', which must not make it active.
    assert set((p['dm_state'], p['checker_state'], p['device_state']) for p in failed) == {('failed', 'faulty', 'running')}
    assert set(p['device'] for p in failed) == {'sdd', 'sde', 'sdf'}


def test_undefined_fields_become_none_and_bad_lines_warn():
    warnings = []
    paths = _multipath.parse_paths('36001|sdb|[orphan]|undef|ready|running|2:0:0:1\nsda  active\n', warn=warnings.append)
    assert paths == [{'wwid': '36001', 'device': 'sdb', 'map': None, 'dm_state': None, 'checker_state': 'ready',
                      'device_state': 'running', 'hctl': '2:0:0:1'}]
    assert warnings == ["multipathd show paths: unparsed line 'sda  active'"]


@pytest.mark.parametrize('dm_state, checker, active', [
    ('active', 'ready', True), ('active', 'ghost', True), ('failed', 'faulty', False),
    ('active', 'faulty', False), (None, 'ready', False),
])
def test_path_is_active(dm_state, checker, active):
    assert _multipath.path_is_active({'dm_state': dm_state, 'checker_state': checker, 'device_state': 'running'}) is active


class FakeModule:
    def __init__(self, reply):
        self.reply = reply

    def get_bin_path(self, name, required=False):
        return '/sbin/' + name

    def run_command(self, cmd, environ_update=None):
        assert environ_update['LC_ALL'] == 'C'
        return self.reply


def test_read_paths_fails_clearly_when_multipathd_is_down():
    module = FakeModule((1, '', 'ux_socket_connect: No such file or directory\n'))
    with pytest.raises(_multipath.MultipathError, match='is multipathd running'):
        _multipath.read_paths(module)


class AnsweringModule:
    """run_command answers from a list, in order; get_bin_path finds multipathd."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.calls = 0

    def get_bin_path(self, name, required=False):
        return '/sbin/' + name

    def run_command(self, cmd, environ_update=None):
        self.calls += 1
        return self.answers.pop(0)


def test_a_busy_multipathd_is_asked_again_whether_it_says_so_or_its_client_gives_up(monkeypatch):
    monkeypatch.setattr(_multipath.time, 'sleep', lambda seconds: None)
    module = AnsweringModule([(0, 'timeout\n', ''), (1, '', 'timeout receiving packet\n'),
                              (0, '36001|sdb|36001|active|ready|running|2:0:0:1\n', '')])
    assert [p['device'] for p in _multipath.read_paths(module)] == ['sdb']
    assert module.calls == 3


def test_a_multipathd_busy_for_every_attempt_fails_saying_so(monkeypatch):
    monkeypatch.setattr(_multipath.time, 'sleep', lambda seconds: None)
    module = AnsweringModule([(1, '', 'timeout receiving packet\n')] * 3)
    with pytest.raises(_multipath.MultipathError, match='stayed too busy.*3 attempts'):
        _multipath.read_paths(module, busy_retries=2)


def test_a_multipathd_that_is_not_running_fails_at_once():
    module = AnsweringModule([(1, '', "error -104 receiving packet\nis multipathd running?\n")])
    with pytest.raises(_multipath.MultipathError, match='is multipathd running'):
        _multipath.read_paths(module)
    assert module.calls == 1
