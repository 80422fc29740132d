#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assertions of tests/e2e/run on what the playbook wrote and printed; exit 1 with the reason.

  check.py paths REPORT HOST=NET[,NET...] ...   host operational; every LUN has an active path
                                                 through each NET and through no other network
  check.py nonop REPORT HOST ...                 these hosts are non operational, the others operational
  check.py would REPORT HOST=IFACE ...           check mode: the host would log in through IFACE
  check.py unchanged LOG HOST ...                the play recap says changed=0 failed=0 for every host
                                                 in it (localhost too), and lists each HOST
  check.py fio HOST FILE                         fio's JSON: no error, data written and verified
  check.py requests COUNT BOUND                  the engine requests counted: 1 to BOUND
  check.py secret SECRET_FILE PATH ...           the secret (non-empty) is in no file under PATH
  check.py secret-present SECRET_FILE < TEXT     the secret is in TEXT (positive control)
"""

import json
import os
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
    """changed=0 and failed=0 on every host of the whole recap (localhost too), and HOSTS among them."""
    with open(log, encoding='utf-8') as handle:
        text = handle.read()
    recap = text[text.rindex('PLAY RECAP'):] if 'PLAY RECAP' in text else fail('%s: no play recap' % log)
    rows = dict((m.group(1), (int(m.group(2)), int(m.group(3)))) for m in
                re.finditer(r'^(\S+)\s*:\s*ok=\d+\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)', recap, re.M))
    for host in hosts:
        if host not in rows:
            fail('%s: not in the play recap (%s)' % (host, ', '.join(sorted(rows))))
    for host, (changed, failed) in sorted(rows.items()):
        if changed or failed:
            fail('%s: changed=%d failed=%d on a re-run with nothing to change' % (host, changed, failed))
    print('changed=0 on every host of the recap: %s' % ', '.join(sorted(rows)))


def check_requests(count, bound):
    """The simulator's request count is at most BOUND (and more than none: the run talked to it)."""
    if not 0 < int(count) <= int(bound):
        fail('engine requests of the whole run: %s, expected 1 to %s' % (count, bound))
    print('engine requests of the whole run: %s (bound %s)' % (count, bound))


def check_secret(secret_file, paths):
    """The secret (a non-empty file) is in no file under PATHS; exit 1 naming where it is."""
    with open(secret_file, 'rb') as handle:
        secret = handle.read().strip()
    if not secret:
        fail('the secret file %s is empty: a search for it would find nothing' % secret_file)
    found, searched = [], 0
    for top in paths:
        for root, _dirs, files in os.walk(top) if os.path.isdir(top) else [(os.path.dirname(top), [], [os.path.basename(top)])]:
            for name in files:
                path = os.path.join(root, name)
                searched += 1
                with open(path, 'rb') as handle:
                    if secret in handle.read():
                        found.append(path)
    if not searched:
        fail('no file to search in %s' % ' '.join(paths))
    if found:
        fail('the secret appears in: %s' % ' '.join(found))
    print('searched %d files for the secret: none holds it' % searched)


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


def check_secret_present(secret_file):
    """Positive control: the secret is in standard input (what must hold it), so a search for it can find it."""
    with open(secret_file, 'rb') as handle:
        secret = handle.read().strip()
    if not secret or secret not in sys.stdin.buffer.read():
        fail('the secret of %s is not where it must be: a search for it proves nothing' % secret_file)
    print('the secret is where it must be (positive control)')


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
    elif command == 'requests':
        check_requests(path, rest[0])
    elif command == 'secret':
        check_secret(path, rest)
    elif command == 'secret-present':
        check_secret_present(path)
    else:
        fail('unknown check %s' % command)


if __name__ == '__main__':
    main(sys.argv)
