# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The configuration multipathd runs, audited: its one parser and what production taught about it.

Read from ``multipathd show config local`` (what the daemon applies to this host's devices: the
built-in table narrowed to the devices present, with every file merged), not from the files: a
drop-in that sorts after ours, or a device section of the built-in table, wins over what we
wrote, and only the daemon knows the result. The files are read afterwards, with the same
parser (they share the syntax), only to name the file that set what the daemon runs.

What it checks, and where that was learned (read in oVirt/vdsm, recent snapshot):
- ``user_friendly_names yes`` anywhere but in blacklists is refused: map names must be the WWIDs
  on every host of the data center (vdsm ``lib/vdsm/storage/mpathconf.py`` writes
  ``user_friendly_names no`` with "DO NOT CHANGE!", and its ``check_local_config`` walks
  ``show config local`` for the same reason; ``vdsm-tool`` says such a configuration "may lead to
  storage domain corruption"). A device section is enough: it wins over ``defaults``.
- ``no_path_retry`` x ``polling_interval`` is how long I/O queues once every path of a map is
  gone. VDSM sets 16 x 5 s (8 x sanlock's io_timeout, so that sanlock, not multipath, decides
  when a VM with a lease dies) and repeats it in ``overrides`` because a device section of the
  built-in table would win otherwise. ``queue`` hangs lvm and the host with it; ``fail`` pauses
  every VM at the first outage. Reported against what the caller documents, never refused.
"""

from __future__ import annotations

import glob
import os

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import find_command

# Sections that list devices to leave alone: a user_friendly_names there sets nothing.
SKIPPED_SECTIONS = ('blacklist', 'blacklist_exceptions')
# What names a subsection among its siblings (a device entry, a multipath entry).
IDENTITY_KEYS = ('vendor', 'product', 'wwid')


def show_config_local(module):
    """``multipathd show config local``'s text; None when multipathd does not answer (not running yet)."""
    binary = find_command(module, 'multipathd', 'multipath-tools (device-mapper-multipath)')
    rc, out, err = module.run_command([binary, 'show', 'config', 'local'], environ_update={'LC_ALL': 'C', 'LANG': 'C'})
    text = (out or '').strip()
    if rc != 0 or not text or text.startswith('fail') or 'is multipathd running' in (out or '') + (err or ''):
        return None
    return out


def _strip_comment(line):
    """The line without a '#' or '!' comment; both are text inside double quotes."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char in '#!' and not quoted:
            return line[:index]
    return line


def parse_config(text, warn=None):
    """multipath configuration text (the daemon's output or a file) -> a list of nodes, each
    ``{'section': name, 'children': [...]}`` or ``{'key': key, 'value': value}`` (quotes dropped).
    An unbalanced '}' or a line that is neither warns and is skipped."""
    root = []
    stack = [root]
    for number, raw in enumerate((text or '').splitlines(), 1):
        line = _strip_comment(raw).strip()
        if not line:
            continue
        if line == '}':
            if len(stack) > 1:
                stack.pop()
            elif warn:
                warn('multipath configuration line %d: "}" closes no section' % number)
            continue
        if line.endswith('{'):
            node = {'section': line[:-1].strip(), 'children': []}
            stack[-1].append(node)
            stack.append(node['children'])
            continue
        key, sep, value = line.partition(' ')
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        if warn and not (key and sep):
            warn('multipath configuration line %d: no value: %r' % (number, raw))
        stack[-1].append({'key': key, 'value': value})
    return root


def _settings(children):
    return dict((node['key'], node['value']) for node in children if 'key' in node)


def walk(tree, path=()):
    """(path of section names, {key: value}, identity) for every section, depth first."""
    for node in tree:
        if 'section' not in node:
            continue
        here = path + (node['section'],)
        settings = _settings(node['children'])
        yield here, settings, dict((k, settings[k]) for k in IDENTITY_KEYS if k in settings)
        yield from walk(node['children'], here)


def user_friendly_names_on(tree):
    """Each section that turns user_friendly_names on: {'section': 'devices/device', 'identity': {...}}."""
    found = []
    for path, settings, identity in walk(tree):
        if path[0] in SKIPPED_SECTIONS:
            continue
        if settings.get('user_friendly_names', '').lower() == 'yes':
            found.append({'section': '/'.join(path), 'identity': identity})
    return found


def files_setting(found, files):
    """``found`` (user_friendly_names_on of the daemon) with 'files': the files of ``files``
    ({path: text}, in the order multipathd reads them) holding the same section, same identity,
    with user_friendly_names yes. Empty when no file holds it now (changed since multipathd read it)."""
    in_files = [(path, user_friendly_names_on(parse_config(text))) for path, text in files.items()]
    result = []
    for item in found:
        names = [path for path, sections in in_files
                 if any(s['section'] == item['section'] and all(s['identity'].get(k) == v for k, v in item['identity'].items())
                        for s in sections)]
        result.append(dict(item, files=names))
    return result


def describe_section(item):
    identity = ' '.join('%s "%s"' % (key, value) for key, value in sorted(item['identity'].items()))
    return item['section'] + (' (%s)' % identity if identity else '')


def refusal(found):
    """The message naming each section and file that turns user_friendly_names on."""
    parts = []
    for item in found:
        where = ', '.join(item['files']) if item['files'] else 'no file holds it now: multipathd has not read its files again since'
        parts.append('%s in %s' % (describe_section(item), where))
    return ('multipathd runs with user_friendly_names yes (%s): map names must be the LUNs\' WWIDs on every host of the '
            'data center (VDSM refuses it too); set it to no there, then reload multipathd' % '; '.join(parts))


def _retry_seconds(value, interval):
    """Seconds I/O queues with every path gone: no_path_retry x polling_interval, 0 for 'fail', None for 'queue'."""
    value = (value or '').lower()
    if value == 'fail':
        return 0
    if value == 'queue':
        return None
    try:
        return int(value) * interval
    except ValueError:
        return None


def queueing(tree, *, no_path_retry, polling_interval):
    """How long I/O queues when every path of a map is gone, for each scope of the running
    configuration that sets no_path_retry, and for each device or map entry the effective value
    (multipaths, then overrides, then the device's entry, then defaults).
    Returns (scopes, warnings): scopes [{scope, no_path_retry, polling_interval, seconds}], warnings
    against ``no_path_retry`` x ``polling_interval``, the queueing the caller documents."""
    sections = list(walk(tree))
    defaults = next((s for p, s, i in sections if p == ('defaults',)), {})
    overrides = next((s for p, s, i in sections if p == ('overrides',)), {})
    try:
        interval = int(defaults.get('polling_interval', '5'))
    except ValueError:
        interval = 5
    expected = no_path_retry * polling_interval
    scopes, warnings = [], []

    def add(scope, value):
        seconds = _retry_seconds(value, interval)
        scopes.append({'scope': scope, 'no_path_retry': value, 'polling_interval': interval, 'seconds': seconds})
        if seconds == expected:
            return
        if value.lower() == 'queue':
            why = 'queues for ever: lvm and every process reading the map hang while the storage is away'
        elif seconds == 0:
            why = 'fails I/O at once: every VM pauses at the first outage'
        else:
            why = 'queues %s s' % (seconds if seconds is not None else 'an unknown time (%r)' % value)
        warnings.append('multipathd: %s: no_path_retry %s x polling_interval %d s %s, where %d x %d s = %d s is documented '
                        '(VDSM: 16 x 5 s, set in overrides)' % (scope, value, interval, why, no_path_retry, polling_interval, expected))

    if 'no_path_retry' in defaults:
        add('defaults', defaults['no_path_retry'])
    if 'no_path_retry' in overrides:
        add('overrides', overrides['no_path_retry'])
    for path, settings, identity in sections:
        if path not in (('devices', 'device'), ('multipaths', 'multipath')):
            continue
        own = settings.get('no_path_retry')
        if path[0] == 'multipaths':
            value = own or overrides.get('no_path_retry') or defaults.get('no_path_retry')
        else:
            value = overrides.get('no_path_retry') or own or defaults.get('no_path_retry')
        if value and (own or path[0] == 'devices'):
            add(describe_section({'section': '/'.join(path), 'identity': identity}), value)
    return scopes, warnings


def read_files(conf_path, conf_dir):
    """{path: text} of multipath.conf then the drop-ins, in the order multipathd reads them."""
    files = {}
    for path in [conf_path] + sorted(glob.glob(os.path.join(conf_dir, '*.conf'))):
        try:
            with open(path, encoding='utf-8', errors='replace') as handle:
                files[path] = handle.read()
        except OSError:
            continue
    return files


# Keywords the collection writes only where the running multipath-tools knows them (recheck_wwid:
# 0.8.6); an older one would log every one of them as an invalid keyword at each start.
NEWER_KEYWORDS = ('recheck_wwid',)


def without_unknown(content, running):
    """``content`` (a multipath.conf) without the lines of NEWER_KEYWORDS that ``running`` (``show
    config local``, which lists every keyword the daemon knows) lacks; as it is when multipathd
    does not answer (a first run: the next one takes the line out if need be)."""
    if not content or running is None:
        return content
    known = set(line.split()[0] for line in running.splitlines() if line.split())
    return '\n'.join(line for line in content.split('\n')
                     if not (line.split() and line.split()[0] in NEWER_KEYWORDS and line.split()[0] not in known))


NOT_READ = object()


def audit(module, *, conf_path, conf_dir, no_path_retry, polling_interval, text=NOT_READ):
    """The running configuration audited: {'user_friendly_names': [...with files], 'queueing': [...],
    'warnings': [...]}; None when multipathd does not answer (it is started later, and audited then).
    ``text``: ``show config local`` when the caller has just read it (None: multipathd did not answer)."""
    if text is NOT_READ:
        text = show_config_local(module)
    if text is None:
        return None
    tree = parse_config(text, warn=module.warn)
    found = user_friendly_names_on(tree)
    scopes, warnings = queueing(tree, no_path_retry=no_path_retry, polling_interval=polling_interval)
    return {'user_friendly_names': files_setting(found, read_files(conf_path, conf_dir)) if found else [],
            'queueing': scopes, 'warnings': warnings}
