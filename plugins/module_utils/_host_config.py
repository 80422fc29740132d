# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iscsid.conf's tuning block and multipath's configuration: pure text in, text out.

The block keeps the markers the role's earlier ``blockinfile`` task wrote, so hosts it tuned
keep one block. Where VDSM owns ``/etc/multipath.conf`` (its header on line 1) only a drop-in
is written, and VDSM's file is never touched. What each write replaced goes to the host's
record (``_host_record``), so that a host leaving for good gets it back (``absent_plan``).
"""

from __future__ import annotations

BLOCK_BEGIN = '# BEGIN ovirt_iscsi.multipath.iscsi_paths: fast failover'
BLOCK_END = '# END ovirt_iscsi.multipath.iscsi_paths: fast failover'
VDSM_HEADER = '# VDSM REVISION'
# In a comment of the first lines of every whole file the role writes (its templates).
OWN_MARKER = 'ovirt_iscsi.multipath'


def with_block(text, settings):
    """``text`` with the tuning block set to ``settings`` (key = value lines), or removed when
    ``settings`` is empty. The block stays where it is; a new one goes at the end."""
    lines = text.splitlines()
    block = ['%s = %s' % (key, value) for key, value in sorted(settings.items())]
    if BLOCK_BEGIN in lines and BLOCK_END in lines[lines.index(BLOCK_BEGIN):]:
        start = lines.index(BLOCK_BEGIN)
        end = lines.index(BLOCK_END, start)
        head, tail = lines[:start], lines[end + 1:]
    else:
        head, tail = lines, []
    body = [BLOCK_BEGIN] + block + [BLOCK_END] if block else []
    result = head + body + tail
    return '\n'.join(result) + '\n' if result else ''


def has_block(text):
    """The tuning block is in ``text``."""
    lines = (text or '').splitlines()
    return BLOCK_BEGIN in lines and BLOCK_END in lines[lines.index(BLOCK_BEGIN):]


def own_file(text):
    """A whole file this collection wrote: its marker in a comment of the first lines (what an
    earlier version wrote without recording it)."""
    return any(line.startswith('#') and OWN_MARKER in line for line in (text or '').splitlines()[:3])


def recorded_files(files, writes, current, *, iscsid_conf):
    """The record's ``files`` after ``writes`` ({path: content or None}; ``current`` {path: content
    or None} before them): a file written whole for the first time keeps what it replaces (nothing
    when it was absent or an earlier version's own), the block is noted while it is there, and a
    file removed leaves the record."""
    files = dict(files)
    for path, content in writes.items():
        if content is None:
            files.pop(path, None)
        elif path == iscsid_conf:
            if has_block(content):
                files[path] = {'kind': 'block'}
            else:
                files.pop(path, None)
        elif path not in files:
            before = current.get(path)
            files[path] = {'kind': 'file', 'before': None if own_file(before) else before}
    return files


def absent_plan(current, files, *, iscsid_conf, conf_path, dropin_path):
    """What undoes this collection's files: ({path: content or None}, [{path, action}]).

    The block leaves iscsid.conf; multipath.conf gets back what the record kept (removed when
    there was none, or when an earlier version wrote it without recording it), never where VDSM
    owns it, nor when it is neither recorded nor the collection's own; the drop-in (the
    collection's own path) is removed. A file that is not there is not made again."""
    writes, actions = {}, []
    text = current.get(iscsid_conf)
    if has_block(text):
        writes[iscsid_conf] = with_block(text, {})
        actions.append({'path': iscsid_conf, 'action': 'its block removed'})
    for path in (conf_path, dropin_path):
        now = current.get(path)
        entry = files.get(path)
        if now is None or (path == conf_path and (vdsm_owns(now) or (entry is None and not own_file(now)))):
            continue
        before = (entry or {}).get('before')
        if now != before:
            writes[path] = before
            actions.append({'path': path, 'action': 'removed' if before is None else 'restored as it was before'})
    return writes, actions


def vdsm_owns(text):
    """VDSM owns a multipath.conf whose first line carries its revision header."""
    return (text or '').startswith(VDSM_HEADER)


def multipath_files(current_conf, *, conf_path, conf_content, dropin_path, dropin_content):
    """{path: wanted content or None (absent)} for multipath: the whole file on a plain host,
    only the drop-in (or none) where VDSM owns multipath.conf."""
    if vdsm_owns(current_conf):
        return {dropin_path: dropin_content or None}
    return {conf_path: conf_content}


ENABLED_STATES = ('enabled', 'enabled-runtime', 'static', 'indirect', 'generated', 'alias')

# One `systemctl show` for every service instead of is-active and is-enabled for each: on an
# emulated or busy host each systemctl process costs a few tenths of a second, and a re-run with
# nothing to change is mostly such reads.
UNIT_PROPERTIES = 'Id,ActiveState,UnitFileState'


def unit_states(services, text):
    """[(service, active?, enabled?)] from ``systemctl show -p Id,ActiveState,UnitFileState``
    over ``services``: one block per unit, blank-line separated, in the order asked (an alias
    shows its target's Id, so blocks are matched by position, not by name). A unit that is not
    installed shows ActiveState=inactive and an empty UnitFileState: neither running nor enabled."""
    blocks = [dict(line.split('=', 1) for line in block.splitlines() if '=' in line)
              for block in text.strip().split('\n\n') if block.strip()]
    if len(blocks) != len(services) or any('ActiveState' not in b or 'UnitFileState' not in b for b in blocks):
        raise ValueError('systemctl show printed %d unit(s) for %d service(s) (%s): %r'
                         % (len(blocks), len(services), ', '.join(services), text[:200]))
    return [(service, block['ActiveState'] == 'active', block['UnitFileState'] in ENABLED_STATES)
            for service, block in zip(services, blocks)]
