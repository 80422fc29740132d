# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks what Chromium showed of the report page against the report's JSON.

    python check_page.py REPORT_JSON DOM_HTML SCREENSHOT_PNG WIDTH HEIGHT

DOM_HTML is the page as Chromium rendered it (--dump-dom). Fails (exit 1) unless:
- the hosts table lists every host of the JSON once, problem hosts first (non operational,
  not run, degraded, then operational), each with its state;
- each cell's active paths equal the active paths of that host and network counted here from
  the JSON's full path table (hosts.HOST.report.luns), its expected ones the JSON's overview;
- the state counts at the top equal those of the JSON;
- the screenshot is a PNG of WIDTH x HEIGHT that is not blank: it shows the colours of a healthy
  cell, a cell with no active path, and (when the first screen holds one) a cell with some.
Prints one summary line.
"""

import json
import struct
import sys
import zlib
from html.parser import HTMLParser

ORDER = ('non operational', 'not run', 'degraded', 'skipped', 'operational')
# The cell colours of plugin_utils/_report_html.py (c-ok, c-none, c-part).
COLOURS = {'all paths': (0xc8, 0xe6, 0xc9), 'no path': (0xef, 0x9a, 0x9a), 'some paths': (0xff, 0xe0, 0x82)}


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.counts = [], {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == 'tr' and 'data-host' in attrs:
            self.rows.append((attrs['data-host'], attrs['data-state'], {}))
        elif tag == 'td' and 'data-network' in attrs and self.rows:
            self.rows[-1][2][attrs['data-network']] = (attrs.get('data-active'), attrs.get('data-expected'))
        elif tag == 'span' and 'data-count-state' in attrs:
            self.counts[attrs['data-count-state']] = int(attrs['data-count'])


def active_from_paths(result):
    counts = {}
    for lun in (result.get('report') or {}).get('luns') or []:
        for network, paths in (lun.get('networks') or {}).items():
            counts[network] = counts.get(network, 0) + sum(1 for p in paths if p.get('state') == 'active')
    return counts


def page_problems(report, page):
    problems = []
    hosts = report['hosts']
    shown = [name for name, _state, _cells in page.rows]
    if sorted(shown) != sorted(hosts) or len(shown) != len(set(shown)):
        problems.append('the page lists %d hosts (%d distinct), the JSON %d' % (len(shown), len(set(shown)), len(hosts)))
    ranks = [ORDER.index(hosts[n]['status']) if n in hosts and hosts[n]['status'] in ORDER else -1 for n in shown]
    if ranks != sorted(ranks):
        problems.append('problem hosts are not first: %s' % ', '.join(shown[:12]))
    for name, state, cells in page.rows:
        result = hosts.get(name) or {}
        if state != result.get('status'):
            problems.append('%s: the page says %s, the JSON %s' % (name, state, result.get('status')))
        active = active_from_paths(result)
        for network, (shown_active, shown_expected) in cells.items():
            expected = report['overview'][name]['networks'].get(network, {}).get('expected')
            if shown_active is not None and int(shown_active) != active.get(network, 0):
                problems.append('%s %s: %s active on the page, %d in the JSON paths' % (name, network, shown_active, active.get(network, 0)))
            if shown_expected is not None and int(shown_expected) != expected:
                problems.append('%s %s: %s expected on the page, %s in the JSON' % (name, network, shown_expected, expected))
    states = {}
    for result in hosts.values():
        states[result['status']] = states.get(result['status'], 0) + 1
    if page.counts != states:
        problems.append('counts at the top %s, in the JSON %s' % (page.counts, states))
    return problems


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


def screenshot_problems(path, width, height, expect_some):
    got_width, got_height, rows = png_pixels(path)
    problems = []
    if (got_width, got_height) != (width, height):
        problems.append('screenshot is %dx%d, expected %dx%d' % (got_width, got_height, width, height))
    seen = set(pixel for row in rows[::2] for pixel in row[::2])
    if len(seen) < 8:
        problems.append('screenshot is blank (%d colours)' % len(seen))
    wanted = [k for k in COLOURS if expect_some or k != 'some paths']
    problems += ['the screenshot shows no %s cell' % k for k in wanted if COLOURS[k] not in seen]
    return problems, len(seen)


def main(report_path, dom_path, png_path, width, height):
    with open(report_path, encoding='utf-8') as handle:
        report = json.load(handle)
    page = Page()
    with open(dom_path, encoding='utf-8') as handle:
        page.feed(handle.read())
    problems = page_problems(report, page)
    # The first screen holds the problem hosts; 'some paths' is expected when one of them has it.
    some = any(0 < c['active'] < c['expected'] for item in report['overview'].values() for c in item['networks'].values())
    shot, colours = screenshot_problems(png_path, int(width), int(height), some)
    problems += shot
    for problem in problems:
        print('check-page: %s' % problem)
    first = [name for name, _s, _c in page.rows[:3]]
    print('check-page: %d host rows (first: %s), %d cells, counts %s, screenshot %sx%s with %d colours, %d problems'
          % (len(page.rows), ', '.join(first), sum(len(c) for _n, _s, c in page.rows), page.counts, width, height, colours, len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
