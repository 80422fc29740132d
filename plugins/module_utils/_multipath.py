# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""multipathd: the path table in a format this collection chooses, and its one parser.

``multipathd show paths raw format FORMAT`` prints one line per path with no header and no
padding, so the fields come back exactly as asked and a '|' separator cannot collide with a
value (WWIDs, device names, map names and states never contain it).
"""

from __future__ import annotations

import time

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import CommandError, find_command

# (field, multipathd wildcard): wwid of the path, kernel device, map it belongs to, the
# device-mapper state of the path, the path checker's state, the sysfs state, H:C:T:L.
PATH_FIELDS = (
    ('wwid', '%w'),
    ('device', '%d'),
    ('map', '%m'),
    ('dm_state', '%t'),
    ('checker_state', '%T'),
    ('device_state', '%o'),
    ('hctl', '%i'),
)
SEPARATOR = '|'
PATH_FORMAT = SEPARATOR.join(wildcard for dummy, wildcard in PATH_FIELDS)
# What multipathd prints for a field it has no value for, and for a path in no map.
UNDEFINED = ('[undef]', 'undef', '[orphan]', '')
# multipathd's whole answer when its table is empty ('ok'), and when it was too busy to answer
# in time ('timeout', while it reconfigures or adds many paths): the caller reads again.
EMPTY_ANSWER = 'ok'
BUSY_ANSWER = 'timeout'
CLIENT_TIMEOUT = 'timeout receiving packet'


class MultipathError(CommandError):
    """multipathd could not answer (not running, or an unexpected reply)."""


def show_paths_command(binary):
    return [binary, 'show', 'paths', 'raw', 'format', PATH_FORMAT]


def read_paths(module, warn=None, busy_retries=10):
    """Ask the running multipathd for its path table; fail clearly when it is not running.

    A busy multipathd (reconfiguring, or adding many paths on a slow host) answers 'timeout', or
    leaves its client to give up ('timeout receiving packet', rc 1): both are asked again, a
    bounded number of times."""
    binary = find_command(module, 'multipathd', 'multipath-tools (device-mapper-multipath)')
    cmd = show_paths_command(binary)
    for attempt in range(busy_retries + 1):
        rc, out, err = module.run_command(cmd, environ_update={'LC_ALL': 'C', 'LANG': 'C'})
        text = (out or '') + (err or '')
        if not is_busy(out, text):
            break
        if attempt < busy_retries:
            time.sleep(1)
    else:
        raise MultipathError('multipathd stayed too busy to answer "show paths" (%d attempts): %s' % (busy_retries + 1, text.strip()[:200]),
                             cmd=cmd, rc=rc, stderr=err)
    if rc != 0 or 'is multipathd running' in text or text.startswith('fail'):
        raise MultipathError('multipathd did not answer "show paths" (is multipathd running?): %s' % text.strip()[:200],
                             cmd=cmd, rc=rc, stderr=err)
    if (out or '').strip() == EMPTY_ANSWER:
        return []
    return parse_paths(out, warn=warn)


def is_busy(out, text):
    """multipathd's own 'timeout' answer, or its client's time-out waiting for one."""
    return (out or '').strip() == BUSY_ANSWER or CLIENT_TIMEOUT in text


def parse_paths(text, warn=None):
    """Lines of PATH_FORMAT -> one dict per path; fields multipathd leaves undefined become None."""
    paths = []
    for line in text.splitlines():
        if not line.strip():
            continue
        values = line.strip().split(SEPARATOR)
        if len(values) != len(PATH_FIELDS):
            if warn:
                warn('multipathd show paths: unparsed line %r' % line)
            continue
        path = {}
        for (field, dummy), value in zip(PATH_FIELDS, values):
            value = value.strip()
            path[field] = None if value in UNDEFINED else value
        paths.append(path)
    return paths


def path_is_active(path):
    """In use by device-mapper and answering its checker: the only state that carries I/O."""
    return path.get('dm_state') == 'active' and path.get('checker_state') in ('ready', 'ghost')
