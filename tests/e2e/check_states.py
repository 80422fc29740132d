#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assertions of tests/e2e/run on the hosts' states and sessions in the report; exit 1 with the reason.

  check_states.py states REPORT HOST=STATE ...      each HOST has STATE (operational, degraded,
                                                     non operational), the report's lists agree
  check_states.py missing REPORT HOST NET REASON    every missing path of HOST is through NET and
                                                     its reason contains REASON; NET's paths all missing
  check_states.py ratio REPORT SLOW FAST BOUND       the iscsi_sessions call's seconds on SLOW over
                                                     FAST's, at most BOUND
  check_states.py lun REPORT WWID HOST=NET,... ...  on each HOST the LUN WWID has an active path
                                                     through each NET (and no other network)
  check_states.py sessions WANT ... < LINES         session lines (stdin, 'portal,tpgt target iface')
                                                     hold each WANT, and no '! WANT'
  check_states.py origin REPORT HOST ENGINE_STATE    each missing path of HOST (at least one) names the
                                                     engine's storage connection of its portal and target
                                                     and every bond holding it through its network, as
                                                     the simulator's state (/__sim__/state) holds them
"""

import sys

from check import fail, load  # tests/e2e/check.py, beside this file


def check_states(report, specs):
    wanted = dict(spec.split('=', 1) for spec in specs)
    for host, state in sorted(wanted.items()):
        result = report['hosts'].get(host) or fail('%s: not in the report' % host)
        if result['status'] != state or result['report'].get('state', state) != state:
            fail('%s: %s, expected %s (%s)' % (host, result['status'], state, result.get('error')))
        print('%s: %s%s' % (host, state, (': ' + result['error'][:300]) if result.get('error') else ''))
    for key, state in (('degraded', 'degraded'), ('non_operational', 'non operational')):
        expected = sorted(h for h, s in wanted.items() if s == state)
        if sorted(h for h in report.get(key, []) if h in wanted) != expected:
            fail('report lists %s %s, expected %s' % (key, report.get(key), expected))


def check_missing(report, host, network, reason):
    missing = report['hosts'][host]['report']['missing']
    if not missing:
        fail('%s: nothing missing' % host)
    for miss in missing:
        if miss['network'] != network or reason not in miss['reason']:
            fail('%s: missing %s through %s (%s), expected only %s with "%s"'
                 % (host, miss['target'], miss['network'], miss['reason'], network, reason))
    if report['hosts'][host]['report']['degraded_networks'] != [network]:
        fail('%s: degraded networks %s, expected [%s]' % (host, report['hosts'][host]['report']['degraded_networks'], network))
    print('%s: %d path(s) missing, all through %s: %s' % (host, len(missing), network, missing[0]['reason']))


def check_ratio(report, slow, fast, bound):
    seconds = [report['hosts'][h]['report']['seconds'] for h in (slow, fast)]
    ratio = seconds[0]['total'] / max(seconds[1]['total'], 0.1)
    print('iscsi_sessions on %s %.1f s %s, on %s %.1f s %s: ratio %.2f (bound %s)'
          % (slow, seconds[0]['total'], seconds[0], fast, seconds[1]['total'], seconds[1], ratio, bound))
    if ratio > float(bound):
        fail('%s converged %.2f times as long as %s, more than %s' % (slow, ratio, fast, bound))


def check_lun(report, wwid, specs):
    for spec in specs:
        host, networks = spec.split('=', 1)
        luns = [lun for lun in report['hosts'][host]['report'].get('luns', []) if lun['wwid'] == wwid]
        if not luns:
            fail('%s: no LUN %s in the report' % (host, wwid))
        active = sorted(net for net, paths in luns[0]['networks'].items() if any(p['state'] == 'active' for p in paths))
        if active != sorted(networks.split(',')):
            fail('%s: LUN %s active through %s, expected %s' % (host, wwid, active, networks))
        print('%s: LUN %s active through %s (%d paths)' % (host, wwid, ', '.join(active), luns[0]['active_paths']))


def check_sessions(wants):
    lines = sys.stdin.read()
    if not lines.strip():
        fail('no session listed')
    for want in wants:
        absent = want.startswith('!')
        text = want.lstrip('! ')
        if (text in lines) == absent:
            fail('%s %s' % (text, 'is still a session' if absent else 'is not a session'))
        print('%s: %s' % (text, 'absent' if absent else 'present'))


def engine_origin(engine, network, portal, target):
    """(connection id, sorted bond names) the engine holds for a session through NETWORK to PORTAL
    and TARGET: the iSCSI connection with that address, port and target, and the bonds that hold
    it and carry the network (the engine's expansion of a bond into sessions)."""
    address, port = portal.rsplit(':', 1)
    ids = [c['id'] for c in engine['storage_connections'] if c.get('type') == 'iscsi' and c['address'] == address.strip('[]')
           and int(c['port']) == int(port) and (c.get('target') or '').lower() == target.lower()]
    if len(ids) != 1:
        fail('the engine holds %d iSCSI connections to %s %s, expected 1' % (len(ids), portal, target))
    network_ids = [n['id'] for n in engine['networks'] if n['name'] == network]
    bonds = sorted(b['name'] for b in engine['iscsi_bonds'] if ids[0] in b['connections'] and set(network_ids) & set(b['networks']))
    return ids[0], bonds


def check_origin(report, host, engine):
    missing = report['hosts'][host]['report']['missing']
    if not missing:
        fail('%s: nothing missing, so no origin to check' % host)
    for miss in missing:
        connection_id, bonds = engine_origin(engine, miss['network'], miss['portal'], miss['target'])
        if not bonds:
            fail('%s: no bond of the engine holds %s through %s: the check would prove nothing' % (host, miss['portal'], miss['network']))
        if (miss.get('connection_id'), miss.get('bonds')) != (connection_id, bonds):
            fail('%s: missing %s at %s through %s names connection %s, bonds %s; the engine holds connection %s, bonds %s'
                 % (host, miss['target'], miss['portal'], miss['iface'], miss.get('connection_id'), miss.get('bonds'), connection_id, bonds))
    print('%s: each of %d missing path(s) names its engine connection and bonds, e.g. %s at %s: connection %s, bonds %s'
          % (host, len(missing), missing[0]['target'], missing[0]['portal'], missing[0]['connection_id'], ', '.join(missing[0]['bonds'])))


def main(argv):
    if len(argv) < 2:
        fail(__doc__)
    command, rest = argv[1], argv[2:]
    if command == 'states':
        check_states(load(rest[0]), rest[1:])
    elif command == 'missing':
        check_missing(load(rest[0]), *rest[1:4])
    elif command == 'ratio':
        check_ratio(load(rest[0]), *rest[1:4])
    elif command == 'lun':
        check_lun(load(rest[0]), rest[1], rest[2:])
    elif command == 'sessions':
        check_sessions(rest)
    elif command == 'origin':
        check_origin(load(rest[0]), rest[1], load(rest[2]))
    else:
        fail('unknown check %s' % command)


if __name__ == '__main__':
    main(sys.argv)
