# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A datacenter_paths report of a simulated data center, as the playbook writes it.

    python make_report.py OUT_JSON OUT_HTML [HOSTS]

HOSTS (200) hosts as the simulator's make_seed lays them out (two storage networks, two portals
of one target, each host one session per portal and network), three LUNs behind the target.
Each host's report is made by the host side's own code (module_utils/_host_report.host_report)
from simulated sessions and multipathd paths, then the whole report by the playbook's filters
(plugin_utils/_report.datacenter_report, _report_html.report_html). A few hosts go wrong:
DEGRADED lose network storage-001 (their logins through it time out, or its paths fail, or one
portal's paths through it fail),
NON_OPERATIONAL reach no LUN, NOT_RUN never report (the host play did not reach them).
LEFT hosts are in an engine status the engine connects no storage in: the host play leaves them
alone (maintenance, non_responsive), or disconnects one in maintenance as asked
(datacenter_paths_disconnect_maintenance): they expect nothing and fail nothing.
FAR hosts (every 20th, and one of each kind above) are planned as the demo's are: the engine pairs
each NIC with a third portal outside the NIC's subnet, which the host does not try (the host
side's own outside_subnet decides, as on a real run): their paths show apart as not routable.
Run with the collection importable (PYTHONPATH=$ANSIBLE_COLLECTIONS_PATH).
"""

import json
import sys

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_report import host_report
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import outside_subnet
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._report import datacenter_report
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._report_html import report_html

TARGET = 'iqn.2026-01.test.sim:scale'
PORTALS = ['198.19.0.1', '198.19.0.2']
NETWORKS = [('storage-000', 'eth1'), ('storage-001', 'eth2')]
LUNS = ['36001405%024d' % n for n in (1, 2, 3)]
DEGRADED = {'host0017': 'login timed out', 'host0042': 'paths failed', 'host0093': 'login timed out',
            'host0150': 'portal lost', 'host0188': 'login timed out'}
NON_OPERATIONAL = ['host0061', 'host0124']
NOT_RUN = ['host0077']
# host: (engine status, action) as datacenter_hosts gives them; every other host is up.
LEFT = {'host0033': ('maintenance', 'leave'), 'host0099': ('non_responsive', 'leave'), 'host0166': ('maintenance', 'disconnect')}
REMOVED = {'sessions': ['%s:3260 %s' % (p, nic) for p in PORTALS for _n, nic in NETWORKS], 'ifaces': [nic for _n, nic in NETWORKS]}
SUBNET, FAR_PORTAL = '198.19.0.0/24', '198.19.1.1'
FAR = set(['host%04d' % n for n in range(0, 1000, 20)] + ['host0042', 'host0061', 'host0077'])


def sessions(far=False):
    return [{'iface': nic, 'network': network, 'net_ifacename': nic, 'subnet': SUBNET if far else None, 'address': portal,
             'port': 3260, 'target': TARGET} for network, nic in NETWORKS for portal in PORTALS + ([FAR_PORTAL] if far else [])]


def host_result(name, planned):
    """The host play's datacenter_paths_result of one simulated host."""
    trouble = DEGRADED.get(name)
    down = name in NON_OPERATIONAL
    timed_out = trouble == 'login timed out'
    failed, logged_in, luns = {}, [], {}
    unreachable = [s for s in planned if outside_subnet(s)]
    planned = [s for s in planned if not outside_subnet(s)]
    for number, session in enumerate(planned):
        key = (session['target'], session['address'], session['port'], session['iface'])
        lost = bool(trouble) and session['network'] == 'storage-001' and (
            trouble != 'portal lost' or session['address'] == PORTALS[1])
        if down or (lost and timed_out):
            failed[tuple(k.lower() if isinstance(k, str) else k for k in key)] = 'login timed out'
            continue
        logged_in.append(dict(session, session_state='LOGGED_IN'))
        for index, wwid in enumerate(LUNS):
            lun = luns.setdefault(wwid, {'wwid': wwid, 'paths': []})
            lun['paths'].append({
                'device': 'sd%s' % chr(ord('a') + number * len(LUNS) + index), 'target': TARGET,
                'portal': '%s:3260' % session['address'], 'iface': session['iface'], 'session_state': 'LOGGED_IN',
                'dm_state': 'failed' if lost else 'active', 'checker_state': 'faulty' if lost else 'ready', 'active': not lost})
    report = host_report(sorted(luns.values(), key=lambda lun: lun['wwid']), logged_in, planned, unreachable=unreachable, failed=failed)
    return {'status': report['state'], 'error': '; '.join(m['reason'] for m in report['missing']), 'report': report}


def main(out_json, out_html, hosts=200):
    names = ['host%04d' % n for n in range(int(hosts))]
    plan = {'data_center': 'Default', 'bonds': ['bond000'], 'engine_hosts_not_in_inventory': [], 'inventory_hosts_not_in_engine': [],
            'hosts': dict((n, dict(zip(('status', 'action'), LEFT.get(n, ('up', 'converge'))), sessions=sessions(n in FAR)))
                          for n in names)}
    hostvars = {}
    for name in names:
        action = plan['hosts'][name]['action']
        if action == 'disconnect':
            hostvars[name] = {'datacenter_paths_result': {'disconnect': 'done', 'report': {'removed': REMOVED}}}
        elif action == 'converge' and name not in NOT_RUN:
            hostvars[name] = {'datacenter_paths_result': host_result(name, plan['hosts'][name]['sessions'])}
        else:  # not reached, or left alone: no result
            hostvars[name] = {}
    summary = datacenter_report(plan, hostvars)
    with open(out_json, 'w', encoding='utf-8') as handle:
        json.dump(summary, handle, indent=4, sort_keys=True)
    with open(out_html, 'w', encoding='utf-8') as handle:
        handle.write(report_html(summary))
    states = dict((n, summary['hosts'][n]['status']) for n in names)
    print('make-report: %d hosts: %s; %d with sessions not routable' % (len(names), ', '.join(
        '%d %s' % (list(states.values()).count(s), s) for s in sorted(set(states.values()))), len(FAR & set(names))))


if __name__ == '__main__':
    main(*sys.argv[1:])
