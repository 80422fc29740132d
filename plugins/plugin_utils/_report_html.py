# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""datacenter_paths' report as one self-contained HTML page (pure): hosts by storage network,
each cell coloured by how many of its expected paths are active (the paths not tried by design,
not routable or check mode's logins, beside them in a colour of their own, never as missing),
problem hosts first, the path table of the problem hosts below. A host the engine's status
connects no storage in (maintenance, non responsive, ...) expects nothing: its cells say its
engine status in a colour of their own, never missing. Inline CSS only: no script, no font or image from elsewhere,
so the file opens from a job's artifacts or a mail with no server.

Every value from the report goes through ``_e`` (host, network and target names come from the
engine and the inventory, reasons from iscsiadm).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from html import escape

from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._datacenter import path_cells
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._host_status import (
    CONVERGE, MAINTENANCE, NOT_CONNECTED, host_action, is_left_state,
)
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._report import (
    DEGRADED, NON_OPERATIONAL, NOT_RUN, NOT_TRIED, SKIPPED, problem_order, state_rank,
)

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#1b1b1b;background:#fff}
h1{font-size:20px;margin:0 0 4px}
.meta{color:#444;margin:0 0 8px}
.counts span{display:inline-block;padding:3px 10px;margin:0 6px 6px 0;border-radius:10px;font-weight:600}
table{border-collapse:collapse;margin:8px 0 16px}
th,td{border:1px solid #c9c9c9;padding:2px 8px;text-align:left;white-space:nowrap}
thead th{background:#eceff1;position:sticky;top:0}
td.cell{text-align:center;font-variant-numeric:tabular-nums;min-width:5em}
td.missing{white-space:normal;max-width:60em;color:#5d1010}
.c-ok{background:#c8e6c9}.c-part{background:#ffe082}.c-none{background:#ef9a9a}.c-na{background:#f2f2f2;color:#777}.c-unknown{background:#cfd8dc}
.c-not-routable{background:#d1c4e9}.c-would-log-in{background:#b3e5fc}.c-not-connected{background:#d7ccc8;color:#4e342e}
td.cell span{display:inline-block;margin-left:6px;padding:0 5px;border-radius:6px;font-size:12px}
.check-mode{display:inline-block;background:#b3e5fc;padding:2px 10px;font-weight:600}
.s-operational{background:#c8e6c9}.s-degraded{background:#ffe082}
.s-non-operational{background:#ef9a9a}.s-not-run{background:#cfd8dc}.s-disconnect-failed{background:#ef9a9a}
.s-maintenance{background:#d7ccc8}.s-not-connected{background:#d7ccc8}
.legend span{display:inline-block;padding:1px 8px;margin-right:6px;border:1px solid #c9c9c9}
h2{font-size:16px;margin:16px 0 4px}
"""


def _e(value):
    return escape('' if value is None else str(value), quote=True)


def state_class(state):
    """s-operational, s-non-operational, ...; every 'not connected (engine status X)' is s-not-connected."""
    if is_left_state(state) and state != MAINTENANCE:
        state = NOT_CONNECTED
    return 's-' + '-'.join(str(state).split())


# The colour class of each count not tried by design (NOT_TRIED's keys): c-not-routable, c-would-log-in.
APART_CLASS = dict((key, 'c-' + key.replace('_', '-')) for key, _label in NOT_TRIED)


def cell_class(active, expected, count=None):
    """ok: every expected path active; part: some; none: none of them; na: none expected here,
    unless the cell holds only paths not tried by design (``count``'s NOT_TRIED keys): their colour."""
    if not expected:
        if active:
            return 'c-ok'
        return next((APART_CLASS[key] for key, _label in NOT_TRIED if (count or {}).get(key)), 'c-na')
    if active >= expected:
        return 'c-ok'
    return 'c-part' if active else 'c-none'


def _apart(count):
    """The counts not tried by design: data attributes (0 too, for a checker) and a visible mark each."""
    attributes = ''.join(' data-%s="%d"' % (key.replace('_', '-'), count.get(key) or 0) for key, _label in NOT_TRIED)
    marks = ''.join('<span class="%s">%d %s</span>' % (APART_CLASS[key], count[key], label)
                    for key, label in NOT_TRIED if count.get(key))
    return attributes, marks


def _networks(items):
    return sorted(set(n for item in items.values() for n in item.get('networks') or {}))


def _counts(items):
    states = {}
    for item in items.values():
        states[item['state']] = states.get(item['state'], 0) + 1
    ordered = sorted(states, key=lambda s: (state_rank(s), s))
    return ''.join('<span class="%s" data-count-state="%s" data-count="%d">%d %s</span>'
                   % (state_class(s), _e(s), states[s], states[s], _e(s)) for s in ordered)


def _row(name, item, networks):
    cells = []
    engine_status = item.get('engine_status')
    for network in networks:
        if host_action(engine_status) != CONVERGE:  # the engine connects no storage to it: nothing expected
            cells.append('<td class="cell c-not-connected" data-network="%s" data-engine-status="%s">%s</td>'
                         % (_e(network), _e(engine_status), _e(engine_status)))
            continue
        count = (item.get('networks') or {}).get(network)
        if count is None:
            cells.append('<td class="cell c-na" data-network="%s">&ndash;</td>' % _e(network))
            continue
        attributes, marks = _apart(count)
        if item['state'] in (NOT_RUN, SKIPPED):  # nothing was read on the host: its paths are unknown
            cells.append('<td class="cell c-unknown" data-network="%s" data-expected="%d"%s>?/%d%s</td>'
                         % (_e(network), count['expected'], attributes, count['expected'], marks))
            continue
        cells.append('<td class="cell %s" data-network="%s" data-active="%d" data-expected="%d"%s>%d/%d%s</td>'
                     % (cell_class(count['active'], count['expected'], count), _e(network), count['active'], count['expected'],
                        attributes, count['active'], count['expected'], marks))
    return ('<tr data-host="%s" data-state="%s" data-engine-status="%s"><th scope="row">%s</th><td class="%s">%s</td>'
            '<td class="luns">%d</td>%s<td class="missing">%s</td></tr>'
            % (_e(name), _e(item['state']), _e(engine_status or ''), _e(name), state_class(item['state']), _e(item['state']), item['luns'],
               ''.join(cells), '<br>'.join(_e(m) for m in item.get('missing') or [])))


def _listed(summary):
    parts = []
    for key, label in (('engine_hosts_not_in_inventory', 'Engine hosts missing from the inventory'),
                       ('engine_hosts_in_other_slices', 'Engine hosts in other slices'),
                       ('inventory_hosts_not_in_engine', 'Inventory hosts the engine does not know')):
        if summary.get(key):
            parts.append('<p class="meta" data-list="%s">%s (%d): %s</p>'
                         % (_e(key), _e(label), len(summary[key]), _e(', '.join(summary[key]))))
    return ''.join(parts)


def _details(summary, order):
    hosts = summary.get('hosts') or {}
    rows = []
    for name in order:
        result = hosts.get(name) or {}
        if result.get('status') not in (DEGRADED, NON_OPERATIONAL):
            continue
        rows += ['<tr data-path-host="%s"><th scope="row">%s</th>%s</tr>'
                 % (_e(name), _e(name), ''.join('<td>%s</td>' % _e(v) for v in cell))
                 for cell in path_cells(result.get('report') or {})]
    if not rows:
        return ''
    head = ''.join('<th>%s</th>' % h for h in ('host', 'LUN', 'target', 'network', 'iface', 'portal', 'path state'))
    return '<h2>Paths of the hosts not operational</h2><table class="paths"><thead><tr>%s</tr></thead><tbody>%s</tbody></table>' % (
        head, ''.join(rows))


def report_html(summary):
    """The page, as a string (UTF-8 when written)."""
    items = summary.get('overview') or {}
    order = problem_order(items)
    networks = _networks(items)
    title = 'iSCSI paths of data center %s%s' % (summary.get('data_center') or '?', ' (check mode)' if summary.get('check_mode') else '')
    head = ''.join('<th scope="col">%s</th>' % _e(h) for h in ['host', 'state', 'LUNs'] + networks + ['missing'])
    return ''.join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<title>%s</title><style>%s</style></head><body>' % (_e(title), _CSS),
        '<h1>%s</h1><p class="meta">%s</p>' % (_e(title), _meta(summary)),
        '<div class="counts">%s</div>' % _counts(items),
        _listed(summary),
        '<p class="legend">paths active/expected per storage network: <span class="c-ok">all</span>'
        '<span class="c-part">some missing</span><span class="c-none">none</span><span class="c-na">none expected</span>'
        '<span class="c-unknown">not read</span>'
        '<span class="c-not-connected">not connected by the engine (status maintenance, non_responsive, ...): '
        'nothing expected</span></p>'
        '<p class="legend">beside the count, paths not tried by design (never missing): '
        '<span class="c-not-routable">not routable (portal outside the NIC\'s subnet)</span>'
        '<span class="c-would-log-in">would log in (check mode)</span></p>',
        '<table class="hosts"><thead><tr>%s</tr></thead><tbody>%s</tbody></table>' % (
            head, ''.join(_row(name, items[name], networks) for name in order)),
        _details(summary, order),
        '</body></html>\n',
    ])


def _meta(summary):
    parts = ['bonds: %s' % _e(', '.join(summary.get('bonds') or []) or 'none')]
    if summary.get('check_mode'):
        parts.append('<span class="check-mode" data-check-mode="true">check mode: nothing was changed</span>')
    if (summary.get('slice_count') or 1) > 1:
        parts.append('one of %d job slices' % int(summary['slice_count']))
    return ' &middot; '.join(parts)
