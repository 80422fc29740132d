# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks a datacenter_paths report page against the report's JSON: any report, a real run's too.

    python check_page.py --report REPORT_JSON --page PAGE_HTML [--screenshot PNG --width W --height H]
    python check_page.py REPORT_JSON PAGE_HTML SCREENSHOT_PNG WIDTH HEIGHT     (the same, positional)

PAGE_HTML is the page the playbook wrote or, better, the page as Chromium rendered it
(--dump-dom; scripts/test-report --report does both). Fails (exit 1) unless:
- the hosts table lists every host of the JSON once, problem hosts first (non operational,
  disconnect failed, not run, degraded, then maintenance, not connected, skipped, operational),
  each with its state;
- every network of each host in the JSON's overview has its cell on the page, with its counts
  (a cell left out fails, not only a wrong one);
- each cell's active paths equal those counted here from the JSON's full path table
  (hosts.HOST.report.luns); its expected, not routable and would-log-in paths the overview's;
  the paths not tried by design are shown apart, in their own mark, when there are any;
- an operational host has every cell full, on the page and in the JSON (active >= expected);
- a short cell (active < expected) is explained in its row's missing column: a line naming its
  network, or a line about the whole host (a target without LUN, a LUN without path, an error);
- a host the engine connects no storage to (its engine_status is not up: maintenance,
  non_responsive, ...) has no expectations: no expected path in the JSON, every cell of its row
  in the not-connected colour (none shown as missing), its state maintenance (or, asked to
  disconnect, disconnect failed, not run, skipped) or 'not connected (engine status X)' with
  the JSON's X, and it is neither failed nor non operational unless its disconnect failed or
  did not run;
- the state counts at the top equal those of the JSON; a check-mode report is marked so;
- with a screenshot: a PNG of WIDTH x HEIGHT, not blank, showing the colour (read from the
  page's own CSS) of every kind of cell in the first rows.
Prints one summary line.
"""

import argparse
import json
import re
import struct
import sys
import zlib
from html.parser import HTMLParser

ORDER = ('non operational', 'disconnect failed', 'not run', 'degraded', 'maintenance', 'not connected', 'skipped', 'operational')
NOT_READ = ('not run', 'skipped')
# The engine's host statuses it connects storage in (plugins/plugin_utils/_host_status.py); a
# host in any other has no expectations. The states such a host may have, and those that fail.
CONNECTS_STORAGE = ('up',)
MAINTENANCE_STATES = ('maintenance', 'disconnect failed', 'not run', 'skipped')
LEFT_FAILING = ('disconnect failed', 'not run')
# The overview's counts of paths not tried by design, and their cells' data attribute and mark class.
APART = {'not_routable': 'c-not-routable', 'would_log_in': 'c-would-log-in'}
FIRST_ROWS = 10  # rows surely on the first screen of a 1280x900 window


def _int(value):
    return None if value is None else int(value)


def rank(state):
    """The state's place in ORDER ('not connected (engine status X)' as 'not connected'), -1 if unknown."""
    state = 'not connected' if str(state).startswith('not connected (') else state
    return ORDER.index(state) if state in ORDER else -1


class Page(HTMLParser):
    """The hosts table's rows (host, state, cells by network, missing lines), the state counts,
    the check-mode mark and the page's CSS."""

    def __init__(self):
        super().__init__()
        self.rows, self.counts, self.check_mode, self.style = [], {}, False, ''
        self._row = self._cell = self._mark = self._missing = None
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get('class') or '').split()
        if attrs.get('data-check-mode') == 'true':
            self.check_mode = True
        if tag == 'style':
            self._in_style = True
        elif tag == 'tr' and 'data-host' in attrs:
            self._row = {'host': attrs['data-host'], 'state': attrs.get('data-state'), 'cells': {}, 'missing': None,
                         'engine_status': attrs.get('data-engine-status')}
            self.rows.append(self._row)
        elif tag == 'td' and self._row is not None and 'data-network' in attrs:
            self._cell = dict((key, _int(attrs.get('data-' + key.replace('_', '-')))) for key in ['active', 'expected'] + list(APART))
            self._cell.update(classes=classes, marks={})
            self._row['cells'][attrs['data-network']] = self._cell
        elif tag == 'td' and self._row is not None and 'missing' in classes:
            self._missing = ['']
        elif tag == 'span' and self._cell is not None:
            self._mark = [classes, '']
        elif tag == 'span' and 'data-count-state' in attrs:
            self.counts[attrs['data-count-state']] = int(attrs['data-count'])
        elif tag == 'br' and self._missing is not None:
            self._missing.append('')

    def handle_endtag(self, tag):
        if tag == 'style':
            self._in_style = False
        elif tag == 'span' and self._mark is not None:
            for name in self._mark[0]:
                self._cell['marks'][name] = self._mark[1].strip()
            self._mark = None
        elif tag == 'td' and self._missing is not None:
            self._row['missing'] = [line.strip() for line in self._missing if line.strip()]
            self._missing = None
        elif tag == 'td':
            self._cell = None
        elif tag == 'tr':
            self._row = None

    def handle_data(self, data):
        if self._in_style:
            self.style += data
        elif self._mark is not None:
            self._mark[1] += data
        elif self._missing is not None:
            self._missing[-1] += data


def active_from_paths(result):
    counts = {}
    for lun in (result.get('report') or {}).get('luns') or []:
        for network, paths in (lun.get('networks') or {}).items():
            counts[network] = counts.get(network, 0) + sum(1 for p in paths if p.get('state') == 'active')
    return counts


def _explained(network, missing, networks):
    """A line naming the network, or one about the whole host (naming no network of the page)."""
    return any(line.startswith(network + ': ') or not any(line.startswith(n + ': ') for n in networks) for line in missing or [])


def cell_problems(name, row, item, result):
    """What is wrong with one host's cells against its overview item and result."""
    problems, active = [], active_from_paths(result)
    networks = sorted(set(n for n in row['cells']) | set(item['networks']))
    for network, count in sorted(item['networks'].items()):
        cell = row['cells'].get(network)
        read = result.get('status') not in NOT_READ
        if cell is None or cell['expected'] is None or (read and cell['active'] is None):
            problems.append('%s %s: no cell on the page for a network of the JSON' % (name, network))
            continue
        if read and cell['active'] != active.get(network, 0):
            problems.append('%s %s: %s active on the page, %d in the JSON paths' % (name, network, cell['active'], active.get(network, 0)))
        for key in ['expected'] + list(APART):
            if cell[key] != count.get(key, 0):
                problems.append('%s %s: %s %s on the page, %s in the JSON' % (name, network, cell[key], key, count.get(key, 0)))
        for key, mark in APART.items():
            shown = cell['marks'].get(mark)
            if count.get(key) and not (shown and shown.split()[0] == str(count[key])):
                problems.append('%s %s: %d %s not shown apart (mark %r)' % (name, network, count[key], key, shown))
            elif not count.get(key) and shown:
                problems.append('%s %s: %r shown, none in the JSON' % (name, network, shown))
        if item['state'] == 'operational' and (count['active'] < count['expected'] or 'c-part' in cell['classes'] or 'c-none' in cell['classes']):
            problems.append('%s is operational but its %s cell is not full: %d/%d (%s)'
                            % (name, network, count['active'], count['expected'], ' '.join(cell['classes'])))
        if read and cell['active'] < cell['expected'] and not _explained(network, row['missing'], networks):
            problems.append('%s %s: %d/%d and the missing column does not say why (%s)'
                            % (name, network, cell['active'], cell['expected'], '; '.join(row['missing'] or []) or 'empty'))
    return problems


def not_connected(result):
    """Whether the engine connects no storage to the host (an engine status, and not up)."""
    return result.get('engine_status') is not None and result['engine_status'] not in CONNECTS_STORAGE


def left_problems(name, row, item, result, report):
    """What is wrong with a host the engine connects no storage to: it has no expectations."""
    problems, status, state = [], result['engine_status'], result.get('status')
    allowed = MAINTENANCE_STATES if status == 'maintenance' else ('not connected (engine status %s)' % status,)
    if state not in allowed:
        problems.append('%s: engine status %s, yet state %r (expected %s)' % (name, status, state, ' or '.join(allowed)))
    expected = dict((n, c.get('expected')) for n, c in item['networks'].items() if c.get('expected'))
    if expected:
        problems.append('%s: engine status %s, yet paths expected in the JSON: %s' % (name, status, expected))
    shown = sorted(n for n, cell in row['cells'].items() if 'c-not-connected' not in cell['classes'] or cell['active'] is not None)
    if shown:
        problems.append('%s: engine status %s, yet cells %s are not shown as not connected' % (name, status, ', '.join(shown)))
    if row.get('engine_status') != status:
        problems.append('%s: engine status %s in the JSON, %r on the page' % (name, status, row.get('engine_status')))
    for key in ('failed', 'non_operational'):
        if name in (report.get(key) or []) and not (key == 'failed' and state in LEFT_FAILING):
            problems.append('%s: engine status %s (state %s), yet listed %s' % (name, status, state, key))
    return problems


def page_problems(report, page):
    problems = []
    hosts, overview = report['hosts'], report.get('overview') or {}
    shown = [row['host'] for row in page.rows]
    if sorted(shown) != sorted(hosts) or len(shown) != len(set(shown)):
        problems.append('the page lists %d hosts (%d distinct), the JSON %d' % (len(shown), len(set(shown)), len(hosts)))
    # Problem hosts first, then by name within a state (a page of healthy hosts has an order too).
    ranks = [(rank(hosts[n]['status']) if n in hosts else -1, n) for n in shown]
    if ranks != sorted(ranks):
        problems.append('the rows are not problem hosts first, then by name: %s' % ', '.join(shown[:12]))
    rows = dict((row['host'], row) for row in page.rows)
    for name in sorted(hosts):
        row, item = rows.get(name), overview.get(name)
        if row is None or item is None:
            problems.append('%s: %s' % (name, 'no row on the page' if row is None else 'no overview in the JSON'))
            continue
        if row['state'] != hosts[name].get('status') or item['state'] != hosts[name].get('status'):
            problems.append('%s: the page says %s, the JSON %s' % (name, row['state'], hosts[name].get('status')))
        if not_connected(hosts[name]):
            problems += left_problems(name, row, item, hosts[name], report)
        else:
            problems += cell_problems(name, row, item, hosts[name])
    states = {}
    for result in hosts.values():
        states[result['status']] = states.get(result['status'], 0) + 1
    if page.counts != states:
        problems.append('counts at the top %s, in the JSON %s' % (page.counts, states))
    if bool(report.get('check_mode')) != page.check_mode:
        problems.append('check mode %s in the JSON, %s on the page' % (bool(report.get('check_mode')), page.check_mode))
    return problems


def first_screen_colours(page):
    """{class: RGB} of every cell class and mark in the first rows, the colours from the page's CSS."""
    css = dict((name, tuple(int(hex_[i:i + 2], 16) for i in (0, 2, 4)))
               for name, hex_ in re.findall(r'\.(c-[a-z-]+)\{background:#([0-9a-f]{6})', page.style))
    wanted = set()
    for row in page.rows[:FIRST_ROWS]:
        for cell in row['cells'].values():
            wanted.update(c for c in cell['classes'] + list(cell['marks']) if c in css and c != 'c-na')
    return dict((name, css[name]) for name in wanted)


def png_pixels(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA PNG (what Chromium writes)."""
    with open(path, 'rb') as handle:
        data = handle.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('%s is not a PNG' % path)
    pos, idat, header = 8, b'', None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            header = struct.unpack('>IIBBBBB', chunk)
        elif kind == b'IDAT':
            idat += chunk
        pos += 12 + length
    width, height, depth, colour = header[:4]
    if depth != 8 or colour not in (2, 6):
        raise ValueError('PNG colour type %d depth %d not read here' % (colour, depth))
    step = 3 if colour == 2 else 4
    raw, stride, previous, rows = zlib.decompress(idat), width * step, bytearray(width * step), []
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):  # PNG's five scanline filters, undone
            left = line[i - step] if i >= step else 0
            up, corner = previous[i], previous[i - step] if i >= step else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                best = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))[2]
                line[i] = (line[i] + best) & 255
        rows.append(line)
        previous = line
    return width, height, [[tuple(r[x * step:x * step + 3]) for x in range(width)] for r in rows]


def screenshot_problems(path, width, height, colours):
    got_width, got_height, rows = png_pixels(path)
    problems = []
    if (got_width, got_height) != (width, height):
        problems.append('screenshot is %dx%d, expected %dx%d' % (got_width, got_height, width, height))
    seen = set(pixel for row in rows[::2] for pixel in row[::2])
    if len(seen) < 8:
        problems.append('screenshot is blank (%d colours)' % len(seen))
    problems += ['the screenshot shows no %s cell' % name for name, rgb in sorted(colours.items()) if rgb not in seen]
    return problems, len(seen)


def check(report_path, page_path, screenshot=None, width=None, height=None):
    with open(report_path, encoding='utf-8') as handle:
        report = json.load(handle)
    page = Page()
    with open(page_path, encoding='utf-8') as handle:
        page.feed(handle.read())
    problems, colours = page_problems(report, page), 0
    if screenshot:
        shot, colours = screenshot_problems(screenshot, int(width), int(height), first_screen_colours(page))
        problems += shot
    for problem in problems:
        print('check-page: %s' % problem)
    apart = sum(c.get(k) or 0 for item in (report.get('overview') or {}).values() for c in item['networks'].values() for k in APART)
    left = sum(1 for result in report['hosts'].values() if not_connected(result))
    print('check-page: %d host rows (first: %s), %d cells, %d paths not tried shown apart, %d hosts not connected by their '
          'engine status, counts %s%s%s, %d problems'
          % (len(page.rows), ', '.join(r['host'] for r in page.rows[:3]), sum(len(r['cells']) for r in page.rows), apart, left,
             page.counts, ', check mode' if page.check_mode else '',
             ', screenshot %sx%s with %d colours' % (width, height, colours) if screenshot else '', len(problems)))
    return 1 if problems else 0


def main(argv):
    if argv and not argv[0].startswith('--'):
        return check(*argv)
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--report', required=True, help='the JSON report (datacenter_paths_report_file)')
    parser.add_argument('--page', required=True, help='its page: as written, or as Chromium rendered it (--dump-dom)')
    parser.add_argument('--screenshot', help="Chromium's PNG of the page")
    parser.add_argument('--width', type=int, default=1280)
    parser.add_argument('--height', type=int, default=900)
    args = parser.parse_args(argv)
    return check(args.report, args.page, args.screenshot, args.width, args.height)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
