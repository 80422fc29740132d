# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from html.parser import HTMLParser

from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._report import datacenter_report
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._report_html import cell_class, report_html
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.plugin_utils.report_cases import HOSTVARS, PLAN


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


def parse(page):
    parser = Rows()
    parser.feed(page)
    return parser


def test_hosts_by_network_problem_hosts_first_cells_coloured_by_their_counts():
    rows = parse(report_html(datacenter_report(PLAN, HOSTVARS))).rows
    assert [(r['host'], r['state']) for r in rows] == [('dead', 'non operational'), ('gone', 'not run'), ('limp', 'degraded'),
                                                       ('good', 'operational')]
    assert rows[2]['cells'] == {'iscsi-a': (2, 2, 'cell c-ok'), 'iscsi-b': (0, 2, 'cell c-none')}
    assert rows[3]['cells'] == {'iscsi-a': (2, 2, 'cell c-ok'), 'iscsi-b': (2, 2, 'cell c-ok')}


def test_cell_class():
    assert [cell_class(a, e) for a, e in ((2, 2), (1, 2), (0, 2), (0, 0), (1, 0))] == ['c-ok', 'c-part', 'c-none', 'c-na', 'c-ok']


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
