#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assertions of tests/e2e/run on what the playbook wrote and printed; exit 1 with the reason.

  check.py paths REPORT HOST=NET[,NET...] ...   host operational; every LUN has an active path
                                                 through each NET and through no other network
  check.py nonop REPORT HOST ...                 these hosts are non operational, the others operational
  check.py would REPORT HOST=IFACE ...           check mode: the host would log in through IFACE
  check.py unchanged LOG HOST ...                the play recap says changed=0 for each HOST
  check.py fio HOST FILE                         fio's JSON: no error, data written and verified
"""

import json
import re
import sys

LUNS = 3    # storage1 has two LUNs, storage2 one (tests/lab/lab.yml)


def fail(message):
    print('FAIL: %s' % message)
    sys.exit(1)


def load(path):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


def check_paths(report, specs):
    for spec in specs:
        host, nets = spec.split('=')
        wanted = set(nets.split(','))
        result = report['hosts'].get(host) or fail('%s: not in the report' % host)
        if result['status'] != 'operational':
            fail('%s: %s (%s)' % (host, result['status'], result.get('error')))
        luns = result['report']['luns']
        if len(luns) != LUNS:
            fail('%s: %d LUNs, expected %d' % (host, len(luns), LUNS))
        for lun in luns:
            seen = set(lun['networks'])
            if seen != wanted:
                fail('%s: LUN %s has paths through %s, expected %s' % (host, lun['wwid'], sorted(seen), sorted(wanted)))
            for net in wanted:
                if not any(p['state'] == 'active' for p in lun['networks'][net]):
                    fail('%s: LUN %s has no active path through %s: %s' % (host, lun['wwid'], net, lun['networks'][net]))
        print('%s: operational, %d LUNs, each with an active path through %s' % (host, len(luns), ', '.join(sorted(wanted))))


def check_nonop(report, hosts):
    for host, result in sorted(report['hosts'].items()):
        expected = 'non operational' if host in hosts else 'operational'
        if result['status'] != expected:
            fail('%s: %s, expected %s (%s)' % (host, result['status'], expected, result.get('error')))
        print('%s: %s%s' % (host, result['status'], (': ' + result['error'][:200]) if result.get('error') else ''))
    if sorted(report['non_operational']) != sorted(hosts):
        fail('report lists non operational %s, expected %s' % (report['non_operational'], hosts))


def check_would(report, specs):
    for spec in specs:
        host, iface = spec.split('=')
        would = report['hosts'][host]['report'].get('would_create') or []
        if not any(m['iface'] == iface for m in would):
            fail('%s: check mode does not show a login through %s: %s' % (host, iface, would))
        print('%s: check mode would log in through %s (%d paths)' % (host, iface, sum(1 for m in would if m['iface'] == iface)))


def check_unchanged(log, hosts):
    with open(log, encoding='utf-8') as handle:
        text = handle.read()
    for host in hosts:
        match = re.search(r'^%s\s*:.*changed=(\d+)' % re.escape(host), text, re.M)
        if not match:
            fail('%s: not in the play recap' % host)
        if match.group(1) != '0':
            fail('%s: changed=%s on a re-run with nothing to change' % (host, match.group(1)))
        print('%s: changed=0' % host)


def check_fio(host, path):
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    try:
        job = json.loads(text[text.index('{'):])['jobs'][0]
    except (ValueError, KeyError, IndexError) as exc:
        fail('%s: no fio result (%s)' % (host, exc))
    verified = job['read']['io_bytes'] // 65536
    print('%s: fio errors %d, written %d MiB, verified %d blocks' % (host, job['error'], job['write']['io_bytes'] >> 20, verified))
    if job['error'] or not verified or not job['write']['io_bytes']:
        fail('%s: fio had errors or did no verified I/O' % host)


def main(argv):
    if len(argv) < 3:
        fail(__doc__)
    command, path, rest = argv[1], argv[2], argv[3:]
    if command == 'paths':
        check_paths(load(path), rest)
    elif command == 'nonop':
        check_nonop(load(path), rest)
    elif command == 'would':
        check_would(load(path), rest)
    elif command == 'unchanged':
        check_unchanged(path, rest)
    elif command == 'fio':
        check_fio(path, rest[0])
    else:
        fail('unknown check %s' % command)


if __name__ == '__main__':
    main(sys.argv)
