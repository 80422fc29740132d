# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host lock: one run at a time, a bounded wait naming the holder, a dead holder taken over."""

import json
import multiprocessing
import os
import threading
import time

import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_lock import LOCK_ARGUMENT_SPEC, HostLock, HostLockTimeout, holding_lock


def _hold(path, ready, release):
    with HostLock(path, timeout=5, module_name='iscsi_sessions'):
        ready.set()
        release.wait(10)


def _die_holding(path, ready):
    lock = HostLock(path, timeout=5, module_name='iscsi_sessions')
    lock.__enter__()
    ready.set()
    os._exit(1)  # no __exit__: the note stays, the kernel frees the flock


@pytest.fixture
def holder(tmp_path):
    ctx = multiprocessing.get_context('fork')
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold, args=(str(tmp_path / 'lock'), ready, release))
    proc.start()
    assert ready.wait(10)
    yield proc, release
    release.set()
    proc.join(10)


def test_a_second_run_waits_then_fails_naming_the_holder(tmp_path, holder):
    proc, dummy = holder
    started = time.monotonic()
    with pytest.raises(HostLockTimeout) as err:
        with HostLock(str(tmp_path / 'lock'), timeout=1.0, module_name='iscsi_sessions'):
            pytest.fail('got the lock while another process held it')
    assert time.monotonic() - started >= 1.0
    message = str(err.value)
    assert 'pid %d (iscsi_sessions, started ' % proc.pid in message
    assert 'Nothing was changed' in message


def test_a_second_run_goes_on_when_the_first_ends_in_time(tmp_path, holder):
    dummy, release = holder
    threading.Timer(1.0, release.set).start()
    lock = HostLock(str(tmp_path / 'lock'), timeout=8, module_name='iscsi_sessions')
    with lock:
        pass
    # The wait is reported; the first run ended cleanly, so there is no note to take over.
    assert 0.8 <= lock.waited < 8
    assert lock.took_over is None


def test_a_run_that_died_holding_it_is_taken_over_and_named(tmp_path):
    ctx = multiprocessing.get_context('fork')
    ready = ctx.Event()
    proc = ctx.Process(target=_die_holding, args=(str(tmp_path / 'lock'), ready))
    proc.start()
    assert ready.wait(10)
    proc.join(10)
    lock = HostLock(str(tmp_path / 'lock'), timeout=2, module_name='iscsi_sessions')
    with lock:
        note = json.loads((tmp_path / 'lock').read_text())
        assert note['pid'] == os.getpid()
    assert lock.took_over['pid'] == proc.pid
    assert lock.took_over['alive'] is False
    assert lock.waited < 1
    assert (tmp_path / 'lock').read_text() == ''


class _Module:
    def __init__(self, path, check_mode=False):
        self.params = {'lock_file': path, 'lock_timeout': 1}
        self.check_mode = check_mode


def test_holding_lock_runs_the_work_under_the_lock_and_reports_it(tmp_path):
    path = str(tmp_path / 'lock')

    def work(module):
        with pytest.raises(HostLockTimeout, match='pid %d \\(iscsi_target' % os.getpid()):
            with HostLock(path, timeout=0, module_name='other'):
                pass
        return {'changed': True}

    assert holding_lock(_Module(path), 'iscsi_target', work) == {'changed': True, 'lock': {'waited': 0.0, 'took_over': None}}


def test_holding_lock_in_check_mode_takes_no_lock(tmp_path):
    path = str(tmp_path / 'lock')
    assert holding_lock(_Module(path, check_mode=True), 'iscsi_iface', lambda module: {'changed': False}) == {'changed': False}
    assert not os.path.exists(path)


def test_every_host_module_that_writes_takes_the_lock_options():
    from ansible_collections.ovirt_iscsi.multipath.plugins.modules import iscsi_host_config, iscsi_iface, iscsi_sessions, iscsi_target
    for module in (iscsi_host_config, iscsi_sessions, iscsi_target):
        assert module.ARGUMENT_SPEC['lock_file'] == LOCK_ARGUMENT_SPEC['lock_file']
        assert 'ovirt_iscsi.multipath.host_lock' in module.DOCUMENTATION
    assert 'ovirt_iscsi.multipath.host_lock' in iscsi_iface.DOCUMENTATION
