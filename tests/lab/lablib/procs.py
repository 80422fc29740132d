# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ending the lab's own processes and waiting until they are gone (tests/lab/lab down).

A signal only asks: a killed qemu stays in the process table while the kernel frees its guest's
memory and until its parent reaps it, so `pgrep` right after the kill still finds it, and a new
lab started then finds the old guest's taps and ports busy. `end` returns only when every process
it signalled is gone, or says which one is not.
"""

import os
import signal
import time

GRACE = 30.0      # seconds after SIGTERM before SIGKILL (qemu ends at once; this bounds a stuck one)
KILL_WAIT = 10.0  # seconds after SIGKILL before giving up


def start_time(pid):
    """The process's start time (field 22 of /proc/PID/stat), or None when there is none. With the
    pid it names one process: if the pid is reused meanwhile, the new process has another."""
    try:
        with open('/proc/%d/stat' % pid, encoding='ascii', errors='replace') as handle:
            return handle.read().rsplit(') ', 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def end(pids, log, grace=GRACE, kill_wait=KILL_WAIT):
    """SIGTERM every pid, wait until each is gone from /proc (an unreaped zombie is not gone: pgrep
    still lists it); after `grace` s SIGKILL the rest and log that, then wait `kill_wait` s more.
    Returns the pids still there, sorted (empty when all are gone)."""
    running = {pid: start_time(pid) for pid in pids}
    running = {pid: started for pid, started in running.items() if started is not None}
    _send(running, signal.SIGTERM)
    left = _wait(running, grace)
    if left:
        log('down: %s still there %.0f s after SIGTERM: SIGKILL' % (', '.join('pid %d' % pid for pid in sorted(left)), grace))
        _send(left, signal.SIGKILL)
        left = _wait(left, kill_wait)
    return sorted(left)


def _send(running, sig):
    for pid, started in running.items():
        if start_time(pid) == started:  # not a reused pid
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass


def _wait(running, seconds):
    """The subset of `running` still there after up to `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        left = {pid: started for pid, started in running.items() if start_time(pid) == started}
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.1)
