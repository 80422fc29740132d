# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's ownership record: what this collection made on the host, and nothing else.

One JSON file (mode 0600), written by both host modules while they hold the host lock:
``ifaces`` and ``nodes`` ({target, portal, iface}) by iscsi_sessions, which records them before
it creates them; ``files`` by iscsi_host_config, each file it wrote with what it keeps to undo it
(``{"kind": "file", "before": <the content it replaced, or null when there was none>}``, or
``{"kind": "block"}`` for its block in a file it shares). Each module keeps the other's keys.
A host leaving for good (``state=absent``) removes what the record lists, then the record.
"""

from __future__ import annotations

import json
import os
import tempfile

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import HostError

EMPTY_RECORD = {'ifaces': [], 'nodes': []}
# Where iscsi_sessions and iscsi_host_config keep it (their option record_file).
DEFAULT_RECORD_FILE = '/var/lib/ovirt_iscsi_multipath.iscsi_paths.json'


def read_record(path):
    """The record; ``ifaces`` and ``nodes`` always present, ``files`` when a module wrote any."""
    try:
        with open(path, encoding='utf-8') as handle:
            record = json.load(handle)
    except FileNotFoundError:
        return dict(EMPTY_RECORD)
    except ValueError as exc:
        raise HostError('the record %s is not JSON (%s): fix or remove it' % (path, exc))
    if not isinstance(record, dict):
        raise HostError('the record %s is not a JSON object: fix or remove it' % path)
    out = dict(record, ifaces=list(record.get('ifaces') or []), nodes=list(record.get('nodes') or []))
    if 'files' in out:
        out['files'] = dict(out['files'] or {})
    return out


def is_empty(record):
    """Nothing left that the record lists."""
    return not (record.get('ifaces') or record.get('nodes') or record.get('files'))


def write_record(path, record):
    """Atomically (a run killed while writing leaves the old record or the new one), mode 0600."""
    directory = os.path.dirname(path) or '.'
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(path))
    with os.fdopen(handle, 'w', encoding='utf-8') as out:
        json.dump(record, out, indent=2, sort_keys=True)
        out.write('\n')
        out.flush()
        os.fsync(out.fileno())
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def remove_record(path):
    """The record gone; True when there was one."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True
