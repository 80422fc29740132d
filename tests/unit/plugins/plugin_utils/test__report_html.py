# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from html.parser import HTMLParser

from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._report import datacenter_report
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._report_html import cell_class, report_html
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.plugin_utils.report_cases import HOSTVARS, PLAN, SESSIONS, missing


class Rows(HTMLParser):
    """data-host rows and their cells, as a browser would read them."""

    def __init__(self):
        super().__init__()
        self.rows, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == 'tr' and 'data-host' in attrs:
            self.rows.append({'host': attrs['data-host'], 'state': attrs['data-state'], 'cells': {}})
        elif tag == 'td' and 'data-active' in attrs:
            self.rows[-1]['cells'][attrs['data-network']] = (int(attrs['data-active']), int(attrs['data-expected']), attrs['class'])
            self.rows[-1]['apart'] = dict(self.rows[-1].get('apart') or {}, **{attrs['data-network']: (
                int(attrs['data-not-routable']), int(attrs['data-would-log-in']))})


def parse(page):
    parser = Rows()
    parser.feed(page)
    return parser


def test_hosts_by_network_problem_hosts_first_cells_coloured_by_their_counts():
    rows = parse(report_html(datacenter_report(PLAN, HOSTVARS))).rows
    assert [(r['host'], r['state']) for r in rows] == [('dead', 'non operational'), ('gone', 'not run'), ('limp', 'degraded'),
                                                       ('far', 'operational'), ('good', 'operational')]
    assert rows[2]['cells'] == {'iscsi-a': (2, 2, 'cell c-ok'), 'iscsi-b': (0, 2, 'cell c-none')}
    assert rows[4]['cells'] == {'iscsi-a': (2, 2, 'cell c-ok'), 'iscsi-b': (2, 2, 'cell c-ok')}
    assert rows[4]['apart'] == {'iscsi-a': (0, 0), 'iscsi-b': (0, 0)}


def test_paths_not_routable_are_full_green_cells_with_their_own_mark_and_legend_never_missing():
    page = report_html(datacenter_report(PLAN, HOSTVARS))
    far = parse(page).rows[3]
    assert far['cells'] == {'iscsi-a': (2, 2, 'cell c-ok'), 'iscsi-b': (2, 2, 'cell c-ok')} and far['apart']['iscsi-a'] == (2, 0)
    row = re.search(r'<tr data-host="far".*?</tr>', page).group(0)
    assert row.count('<span class="c-not-routable">2 not routable</span>') == 2
    assert row.endswith('<td class="missing"></td></tr>')
    assert '<span class="c-not-routable">not routable' in page and '<span class="c-would-log-in">would log in' in page
    assert '.c-not-routable{background:' in page


def test_check_mode_is_marked_and_its_logins_have_their_own_colour():
    would = [missing('iscsi-a', 'ens4', 'would log in', portal='198.18.1.1:3260'), missing('iscsi-b', 'ens5', 'would log in')]
    report = {'luns': [], 'missing': [], 'would_create': would}
    plan = dict(PLAN, hosts={'good': {'sessions': SESSIONS}})
    page = report_html(datacenter_report(plan, {'good': {'datacenter_paths_result': {'status': 'operational', 'report': report}}},
                                         check_mode=True))
    assert parse(page).rows[0]['cells'] == {'iscsi-a': (0, 0, 'cell c-would-log-in'), 'iscsi-b': (0, 0, 'cell c-would-log-in')}
    assert '<title>iSCSI paths of data center Default (check mode)</title>' in page
    assert '<span class="check-mode" data-check-mode="true">check mode: nothing was changed</span>' in page
    assert 'data-check-mode' not in report_html(datacenter_report(PLAN, HOSTVARS))


def test_cell_class():
    assert [cell_class(a, e) for a, e in ((2, 2), (1, 2), (0, 2), (0, 0), (1, 0))] == ['c-ok', 'c-part', 'c-none', 'c-na', 'c-ok']
    assert cell_class(0, 0, {'not_routable': 3}) == 'c-not-routable' and cell_class(0, 0, {'would_log_in': 1}) == 'c-would-log-in'
    assert cell_class(3, 3, {'not_routable': 6}) == 'c-ok' and cell_class(1, 3, {'not_routable': 6}) == 'c-part'


def test_one_file_with_nothing_from_elsewhere():
    page = report_html(datacenter_report(PLAN, HOSTVARS))
    tags = set(tag for tag, _attrs in parse(page).tags)
    assert not tags & {'script', 'link', 'img', 'iframe', 'object', 'embed'}
    assert not re.search(r'(src|href)=|url\(|@import', page)
    assert page.startswith('<!DOCTYPE html>') and '<meta charset="utf-8">' in page


def test_every_value_is_escaped():
    evil = '<script>alert(1)</script>"'
    plan = dict(PLAN, data_center=evil, bonds=[evil], hosts={evil: PLAN['hosts']['limp']},
                engine_hosts_not_in_inventory=[evil])
    result = dict(HOSTVARS['limp']['datacenter_paths_result'])
    result['report'] = dict(result['report'], missing=[dict(m, network=evil, reason=evil) for m in result['report']['missing']])
    page = report_html(datacenter_report(plan, {evil: {'datacenter_paths_result': result}}))
    assert '<script' not in page and 'alert(1)</script>' not in page
    assert '&lt;script&gt;alert(1)&lt;/script&gt;&quot;' in page
    assert parse(page).rows[0]['host'] == evil


def test_a_host_that_did_not_run_shows_its_paths_as_not_read():
    page = report_html(datacenter_report(PLAN, HOSTVARS))
    row = re.search(r'<tr data-host="gone".*?</tr>', page).group(0)
    assert row.count('class="cell c-unknown"') == 2 and '?/1' in row and 'data-active' not in row
    # Not run, yet its plan says which of its sessions it would not try.
    row = re.search(r'<tr data-host="far".*?</tr>', report_html(datacenter_report(PLAN, {}))).group(0)
    assert row.count('?/1<span class="c-not-routable">1 not routable</span>') == 2
