# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A report and its page, doctored one way, for check_page.py to refuse (a positive control).

    python doctor.py KIND REPORT_JSON PAGE_HTML OUT_JSON OUT_HTML

Exit 0: written; 3: this report offers nothing to doctor that way (a real run's report may have
no degraded host, for example). Page kinds change the page (Chromium's DOM) and keep the JSON:
  reordered             the first row moved last
  miscounted            a cell's active paths one less
  cell-removed          a host's cell of a network of the JSON left out
  unexplained           the missing column of a row with a short cell emptied
  not-routable-hidden   a cell's not-routable mark left out
  not-connected-as-missing  a host the engine connects no storage to shown with a missing cell
Report kinds change the JSON and render its page again with the playbook's own filter, so the
page is true to a report that is wrong:
  operational-short     an operational host with one active path failed (a short cell)
  not-routable-as-expected  not-routable paths counted as expected, as before issue 19
  not-connected-failed  a host in maintenance (or another status the engine connects no storage
                        in) listed as failed and non operational
  not-connected-expected  such a host given the paths of its planned sessions as expected
Run with the collection importable (PYTHONPATH=$ANSIBLE_COLLECTIONS_PATH).
"""

import json
import re
import sys

from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._report_html import report_html

NOTHING = 3
ROW = re.compile(r'<tr data-host=.*?</tr>', re.S)
CELL = re.compile(r'<td class="cell [^"]*" data-network="[^"]*" data-active=.*?</td>', re.S)


def reordered(page):
    rows = ROW.findall(page)
    if len(rows) < 2:
        return None
    return page.replace(rows[0], '', 1).replace(rows[-1], rows[-1] + rows[0], 1)


def miscounted(page):
    found = re.search(r'data-active="([1-9][0-9]*)"', page)
    return found and page[:found.start()] + 'data-active="%d"' % (int(found.group(1)) - 1) + page[found.end():]


def cell_removed(page):
    found = CELL.search(page)
    return found and page[:found.start()] + page[found.end():]


def unexplained(page):
    for row in ROW.findall(page):
        short = any(int(a) < int(e) for a, e in re.findall(r'data-active="(\d+)" data-expected="(\d+)"', row))
        if short and '<td class="missing"></td>' not in row:
            return page.replace(row, re.sub(r'<td class="missing">.*?</td>', '<td class="missing"></td>', row, flags=re.S), 1)
    return None


def not_routable_hidden(page):
    found = re.search(r'<span class="c-not-routable">\d+ not routable</span>', page)
    return found and page[:found.start()] + page[found.end():]


def operational_short(report):
    for name, item in sorted(report['overview'].items()):
        if item['state'] != 'operational':
            continue
        for lun in report['hosts'][name]['report'].get('luns') or []:
            for network, paths in sorted((lun.get('networks') or {}).items()):
                path = next((p for p in paths if p.get('state') == 'active'), None)
                if path and network in item['networks']:
                    path['state'] = 'failed/faulty'
                    item['networks'][network]['active'] -= 1
                    return report
    return None


def not_routable_as_expected(report):
    changed = False
    for item in report['overview'].values():
        for count in item['networks'].values():
            if count.get('not_routable'):
                count['expected'], count['not_routable'], changed = count['expected'] + count['not_routable'], 0, True
    return report if changed else None


def not_connected_as_missing(page):
    found = re.search(r'<td class="cell c-not-connected" data-network="([^"]*)" data-engine-status="[^"]*">[^<]*</td>', page)
    return found and (page[:found.start()] + '<td class="cell c-none" data-network="%s" data-active="0" data-expected="3" '
                      'data-not-routable="0" data-would-log-in="0">0/3</td>' % found.group(1) + page[found.end():])


def _not_connected(report):
    """The hosts the report leaves alone by their engine status (maintenance, not connected (...))."""
    return sorted(n for n, r in report['hosts'].items() if r.get('engine_status') not in (None, 'up')
                  and (r.get('status') == 'maintenance' or str(r.get('status')).startswith('not connected (')))


def not_connected_failed(report):
    names = _not_connected(report)
    if not names:
        return None
    report['failed'] = sorted(report['failed'] + names[:1])
    report['non_operational'] = sorted(report['non_operational'] + names[:1])
    return report


def not_connected_expected(report):
    names = _not_connected(report)
    if not names:
        return None
    networks = sorted(set(n for item in report['overview'].values() for n in item['networks']))
    report['overview'][names[0]]['networks'] = dict((n, {'active': 0, 'expected': 3, 'not_routable': 0, 'would_log_in': 0})
                                                    for n in networks)
    return report


PAGE_KINDS = {'reordered': reordered, 'miscounted': miscounted, 'cell-removed': cell_removed, 'unexplained': unexplained,
              'not-routable-hidden': not_routable_hidden, 'not-connected-as-missing': not_connected_as_missing}
REPORT_KINDS = {'operational-short': operational_short, 'not-routable-as-expected': not_routable_as_expected,
                'not-connected-failed': not_connected_failed, 'not-connected-expected': not_connected_expected}


def main(kind, report_path, page_path, out_json, out_html):
    with open(report_path, encoding='utf-8') as handle:
        report = json.load(handle)
    with open(page_path, encoding='utf-8') as handle:
        page = handle.read()
    if kind in PAGE_KINDS:
        page = PAGE_KINDS[kind](page)
        if not page:
            return NOTHING
    else:
        report = REPORT_KINDS[kind](report)
        if report is None:
            return NOTHING
        page = report_html(report)
    with open(out_json, 'w', encoding='utf-8') as handle:
        json.dump(report, handle)
    with open(out_html, 'w', encoding='utf-8') as handle:
        handle.write(page)
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
