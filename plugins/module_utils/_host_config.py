# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iscsid.conf's tuning block and multipath's configuration: pure text in, text out.

The block keeps the markers the role's earlier ``blockinfile`` task wrote, so hosts it tuned
keep one block. Where VDSM owns ``/etc/multipath.conf`` (its header on line 1) only a drop-in
is written, and VDSM's file is never touched.
"""

from __future__ import annotations

BLOCK_BEGIN = '# BEGIN ovirt_iscsi.multipath.iscsi_paths: fast failover'
BLOCK_END = '# END ovirt_iscsi.multipath.iscsi_paths: fast failover'
VDSM_HEADER = '# VDSM REVISION'


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
