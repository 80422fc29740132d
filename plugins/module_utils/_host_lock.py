# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One writer per host: the host modules hold an exclusive lock while they change the host.

Two runs on one host (an AWX slice next to a scheduled run, a manual run) would otherwise read
the same state and both log in, or one log out what the other just verified. The lock is an
``flock`` on a file under /run: the kernel drops it when its holder exits, however it exits, so
a run that died never blocks the next one. The file also says who holds it (pid, module, start
time), for the message of a run that waited too long, and for the report of a run that found
the note of a run that died and took over.
"""

from __future__ import annotations

import fcntl
import json
import os
import time

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import HostError

DEFAULT_LOCK_FILE = '/run/ovirt_iscsi_multipath.lock'
POLL_SECONDS = 0.5

# The options of every module that writes iscsiadm or multipath state (doc fragment ``host_lock``).
LOCK_ARGUMENT_SPEC = dict(
    lock_file=dict(type='path', default=DEFAULT_LOCK_FILE),
    lock_timeout=dict(type='int', default=300),
)


class HostLockTimeout(HostError):
    """Another run held the lock for longer than the caller would wait."""


def _holder_note(handle):
    handle.seek(0)
    try:
        return json.loads(handle.read() or '{}')
    except ValueError:
        return {}


def _process_alive(pid):
    try:
        os.kill(int(pid), 0)
    except (OSError, ValueError, TypeError):
        return False
    return True


def describe_holder(note):
    """'pid 123 (iscsi_sessions, started 2026-12-01T12:00:00Z)'; what a waiting run names."""
    if not note.get('pid'):
        return 'an unknown run (no note in the lock file)'
    started = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(note['started'])) if note.get('started') else 'unknown'
    return 'pid %s (%s, started %s)' % (note['pid'], note.get('module') or 'unknown module', started)


class HostLock:
    """``with HostLock(path, timeout, module_name) as lock:``; ``lock.waited`` and
    ``lock.took_over`` (the note of a run that died holding it, else None) for the report."""

    def __init__(self, path=DEFAULT_LOCK_FILE, timeout=300, module_name='unknown', clock=time.monotonic, sleep=time.sleep):
        self.path = path
        self.timeout = timeout
        self.module_name = module_name
        self.waited = 0.0
        self.took_over = None
        self._clock = clock
        self._sleep = sleep
        self._handle = None

    def __enter__(self):
        directory = os.path.dirname(self.path) or '.'
        os.makedirs(directory, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        handle = os.fdopen(fd, 'r+', encoding='utf-8')
        started = self._clock()
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = self._clock() - started
                if waited >= self.timeout:
                    holder = describe_holder(_holder_note(handle))
                    handle.close()
                    raise HostLockTimeout(
                        'another run is changing this host: %s holds %s; waited %d s (lock_timeout). Nothing was changed by this run.'
                        % (holder, self.path, round(waited)))
                self._sleep(POLL_SECONDS)
        self.waited = round(self._clock() - started, 1)
        previous = _holder_note(handle)
        # A note left behind means its run ended without releasing: it died (the kernel freed the lock).
        if previous.get('pid'):
            self.took_over = dict(previous, alive=_process_alive(previous['pid']))
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({'pid': os.getpid(), 'module': self.module_name, 'started': time.time()}))
        handle.flush()
        self._handle = handle
        return self

    def report(self):
        """The C(lock) entry of a module's result."""
        return {'waited': self.waited, 'took_over': self.took_over}

    def __exit__(self, *exc_info):
        # Clearing the note first: a note found later always belongs to a run that did not get here.
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.flush()
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None
        return False


def holding_lock(module, module_name, work):
    """``work(module)``'s result with its C(lock) entry, holding the host lock; in check mode, which
    writes nothing, ``work(module)`` alone (no lock, no entry)."""
    if module.check_mode:
        return work(module)
    with HostLock(module.params['lock_file'], module.params['lock_timeout'], module_name) as lock:
        result = work(module)
    result['lock'] = lock.report()
    return result
