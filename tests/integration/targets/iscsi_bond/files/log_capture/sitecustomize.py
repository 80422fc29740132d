# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Records what a module hands to syslog or the journal, for tests/hostile.yml.

On PYTHONPATH with LOG_CAPTURE_FILE set, every message (and journal field) a
module logs is appended to that file as one JSON line instead of reaching the
system log, so a test can read exactly what Ansible's invocation log holds.
"""

import json
import os
import sys
import syslog
import types

_PATH = os.environ.get('LOG_CAPTURE_FILE')


def _record(message, **fields):
    with open(_PATH, 'a', encoding='utf-8') as capture:
        capture.write(json.dumps(dict(fields, MESSAGE=str(message))) + '\n')


if _PATH:
    syslog.openlog = lambda *args, **kwargs: None
    syslog.syslog = lambda *args: _record(args[-1])
    # Where python-systemd is installed Ansible logs to the journal instead.
    journal = types.ModuleType('systemd.journal')
    journal.send = lambda MESSAGE='', **fields: _record(MESSAGE, **fields)
    journal.sendv = lambda *args: _record(' '.join(args))
    daemon = types.ModuleType('systemd.daemon')
    daemon.booted = lambda: True
    systemd = types.ModuleType('systemd')
    systemd.journal, systemd.daemon = journal, daemon
    sys.modules.update({'systemd': systemd, 'systemd.journal': journal, 'systemd.daemon': daemon})
