# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host lock: one run at a time, a bounded wait naming the holder, a dead holder taken over."""

import json
import multiprocessing
import os
import threading
import time

import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_lock import HostLock, HostLockTimeout


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
