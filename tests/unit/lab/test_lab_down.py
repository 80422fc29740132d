# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/lab/lab down returns only when the processes it ended are gone (a sleep stands in for a
guest: its argv[0] says qemu-system-x86_64, as the lab's check of a pid file's process wants)."""

import os
import subprocess
import threading
import time

from lablib import cli, config, procs


def _comm(pid):
    with open('/proc/%d/comm' % pid, encoding='ascii', errors='replace') as handle:
        return handle.read().strip()


def _cmdline(pid):
    with open('/proc/%d/cmdline' % pid, 'rb') as handle:
        return handle.read()


def fake_guest(ignore_term=False):
    """A process that looks like a guest; reaped as soon as it dies, as init reaps a daemonized qemu."""
    trap = 'trap "" TERM; ' if ignore_term else ''
    process = subprocess.Popen(['bash', '-c', trap + 'exec -a qemu-system-x86_64 sleep 60'])  # pylint: disable=consider-using-with
    deadline = time.monotonic() + 5
    # Wait for bash to exec the sleep: before it, bash's own command line already names
    # qemu-system, and a SIGTERM could land before the trap that ignores it. The new comm shows
    # a moment before the new command line does (empty in between: seen under load).
    while _comm(process.pid) != 'sleep' or not _cmdline(process.pid):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert cli._is_lab_process(process.pid)  # pylint: disable=protected-access
    threading.Thread(target=process.wait, daemon=True).start()
    return process.pid


def test_down_returns_when_the_guests_it_ended_are_gone(tmp_path):
    lab = cli.Lab(config.load(config.default_path()))
    lab.namespace = 'ovirt-iscsi-unit-no-such-netns'
    lab.run_dir, lab.data_dir = str(tmp_path / 'run'), str(tmp_path / 'data')
    os.makedirs(lab.run_dir)
    pids = [fake_guest(), fake_guest()]
    for name, pid in zip(('host1', 'host2'), pids):
        (tmp_path / 'run' / ('%s.pid' % name)).write_text('%d\n' % pid)
    lab.down()
    assert [pid for pid in pids if os.path.exists('/proc/%d' % pid)] == []
    assert not os.path.exists(lab.run_dir)


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace_and_the_log_says_so():
    pid = fake_guest(ignore_term=True)
    lines = []
    started = time.monotonic()
    assert procs.end([pid], lines.append, grace=0.5) == []
    assert not os.path.exists('/proc/%d' % pid)
    assert lines == ['down: pid %d still there 0 s after SIGTERM: SIGKILL' % pid]
    assert time.monotonic() - started < 5


def test_a_pid_with_no_process_is_left_alone_and_others_untouched():
    pid = fake_guest()
    started = procs.start_time(pid)
    no_such_pid = 2 ** 22 + 1  # above the kernel's pid_max limit
    assert started and procs.start_time(no_such_pid) is None
    assert procs.end([no_such_pid], print) == []
    assert procs.start_time(pid) == started
    assert procs.end([pid], print) == []
