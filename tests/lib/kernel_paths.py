#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A judge that is not the defendant: a lab guest's iSCSI paths read straight from its kernel
(sysfs) and multipathd over the lab's ssh, compared path by path with the host role's report.
It shares nothing with plugins/: its own reads, its own idea of an active path.

  kernel_paths.py show HOST                  each path of the lab's targets, one line each
  kernel_paths.py compare HOST REPORT        REPORT: the role's iscsi_paths_report as JSON, or
                                             datacenter_paths' report file (hosts[HOST].report)
  kernel_paths.py timeouts HOST RECOVERY NOOP_INTERVAL NOOP_TIMEOUT REPLACEMENT
                                             every logged-in session has exactly these (sysfs;
                                             REPLACEMENT: its node record's replacement_timeout)
  kernel_paths.py multipathd HOST SECTION.KEY=VALUE...
                                             `multipathd show config` has exactly these; each map
                                             one path group, queueing when no path is left

A path is active when its session is LOGGED_IN, its SCSI device is running, and multipathd has
it active in its map with the checker ready (or ghost). Exit 1 with every difference named.
"""

import json
import os
import subprocess
import sys

LAB = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'lab', 'lab')

# Runs on the guest (python3 of the distribution): sysfs and multipathd, printed as JSON.
GUEST = r'''
import glob, json, os, subprocess
def read(path):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except OSError:
        return None
sessions = []
for sysdir in sorted(glob.glob('/sys/class/iscsi_session/session*')):
    device = os.path.realpath(sysdir + '/device')
    conn = (glob.glob(device + '/connection*/iscsi_connection/connection*') or [None])[0]
    disks = {}
    for scsi in glob.glob(device + '/target*/[0-9]*:*:*:*'):
        for block in (os.listdir(scsi + '/block') if os.path.isdir(scsi + '/block') else []):
            disks[block] = {'scsi_state': read(scsi + '/state'), 'wwid': read(scsi + '/wwid')}
    address, port = conn and read(conn + '/persistent_address'), conn and read(conn + '/persistent_port')
    # iscsid's node record of the session (its replacement_timeout is what a new session gets): a
    # record made without discovery has portal group tag -1 where the session has the target's.
    records = glob.glob('/etc/iscsi/nodes/%s/%s,%s,*/%s' % (read(sysdir + '/targetname'), address, port, read(sysdir + '/ifacename')))
    exact = [r for r in records if r.split('/')[-2].endswith(',%s' % read(sysdir + '/tpgt'))]
    record = (exact or sorted(records) or [''])[0]
    settings = dict(line.split(' = ', 1) for line in (read(record) or '').splitlines() if ' = ' in line)
    sessions.append({'session': os.path.basename(sysdir), 'target': read(sysdir + '/targetname'),
                     'iface': read(sysdir + '/ifacename'), 'state': read(sysdir + '/state'),
                     'recovery_tmo': read(sysdir + '/recovery_tmo'),
                     'address': address, 'port': port,
                     'replacement_timeout': settings.get('node.session.timeo.replacement_timeout'),
                     'recv_tmo': conn and read(conn + '/recv_tmo'), 'ping_tmo': conn and read(conn + '/ping_tmo'),
                     'disks': disks})
proc = subprocess.run(['multipathd', 'show', 'paths', 'raw', 'format', '%d|%w|%t|%T'], stdout=subprocess.PIPE, universal_newlines=True)
print(json.dumps({'sessions': sessions, 'multipathd_rc': proc.returncode, 'multipathd': proc.stdout.splitlines()}))
'''


def fail(message):
    print('kernel_paths: FAIL: %s' % message)
    sys.exit(1)


def lab_state():
    proc = subprocess.run([LAB, 'inventory'], capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not proc.stdout.strip():
        fail('no lab is up: %s' % proc.stderr.strip())
    with open(os.path.join(os.path.dirname(proc.stdout.strip().splitlines()[-1]), 'state.json'), encoding='utf-8') as handle:
        return json.load(handle)


def guest_read(host):
    """The guest's sessions and multipathd's paths; fails on any ssh or multipathd error."""
    proc = subprocess.run([LAB, 'ssh', host, '--', 'python3', '-'], input=GUEST, capture_output=True, text=True,
                          check=False, timeout=120)
    if proc.returncode != 0:
        fail('%s: reading sysfs over ssh failed, rc %d: %s' % (host, proc.returncode, proc.stderr.strip()[-500:]))
    data = json.loads(proc.stdout)
    if data['multipathd_rc'] != 0:
        fail('%s: multipathd show paths failed, rc %d' % (host, data['multipathd_rc']))
    return data


def kernel_paths(host, targets):
    """{(wwid, iface, portal, device): (active, why, target)} of the sessions to TARGETS."""
    data = guest_read(host)
    mpath = {}
    for line in data['multipathd']:
        fields = line.split('|')
        if len(fields) == 4:
            mpath[fields[0].strip()] = [f.strip() for f in fields[1:]]
    paths = {}
    for session in data['sessions']:
        if session['target'] not in targets:
            continue
        address = session['address'] or '?'
        portal = '%s:%s' % ('[%s]' % address if ':' in address else address, session['port'])
        for device, disk in session['disks'].items():
            # The kernel's 'naa.<hex>' is multipath's WWID '3<hex>' (SCSI name string of NAA type).
            wwid = '3' + disk['wwid'][4:] if (disk['wwid'] or '').startswith('naa.') else disk['wwid']
            dm_state, checker = (mpath.get(device) or [None, None, None])[1:]
            if device in mpath and mpath[device][0] != wwid:
                fail('%s: %s has WWID %s in sysfs but %s in multipathd' % (host, device, wwid, mpath[device][0]))
            why = 'session %s, scsi %s, multipathd %s/%s' % (session['state'], disk['scsi_state'], dm_state, checker)
            active = (session['state'] == 'LOGGED_IN' and disk['scsi_state'] == 'running'
                      and dm_state == 'active' and checker in ('ready', 'ghost'))
            paths[(wwid, session['iface'], portal, device)] = (active, why, session['target'])
    return paths


def host_part(report, host):
    """HOST's own report: the role's iscsi_paths_report, or hosts[HOST].report of datacenter_paths' file."""
    if 'hosts' in report:
        report = (report['hosts'].get(host) or fail('%s: not in the report' % host))['report']
    if 'luns' not in report:
        fail('%s: the report has no luns (did the role run?)' % host)
    return report


def report_paths(report, nics, host):
    """{(wwid, iface, portal, device): active} of the role's report; its network names checked against the lab."""
    paths = {}
    for lun in report['luns']:
        for network, entries in lun['networks'].items():
            for entry in entries:
                if network in nics and entry['iface'] != nics[network]:
                    fail('%s: report puts iface %s under network %s, whose NIC is %s' % (host, entry['iface'], network, nics[network]))
                paths[(lun['wwid'], entry['iface'], entry['portal'], entry['device'])] = entry['state'] == 'active'
    return paths


def compare(host, report_file):
    state = lab_state()
    targets = {t['iqn'] for t in state['target']['targets']}
    nics = {name: net['nic'] for name, net in state['hosts'][host]['networks'].items()}
    with open(report_file, encoding='utf-8') as handle:
        report = host_part(json.load(handle), host)
    claimed = report_paths(report, nics, host)
    seen = kernel_paths(host, targets)
    errors = ['%s %s via %s %s: in the kernel (%s), not in the report' % (k[0], k[3], k[1], k[2], seen[k][1])
              for k in sorted(set(seen) - set(claimed))]
    errors += ['%s %s via %s %s: in the report, not in the kernel' % (k[0], k[3], k[1], k[2])
               for k in sorted(set(claimed) - set(seen))]
    errors += ['%s %s via %s %s: report says %s, kernel: %s' % (k[0], k[3], k[1], k[2], 'active' if claimed[k] else 'not active', seen[k][1])
               for k in sorted(set(claimed) & set(seen)) if claimed[k] != seen[k][0]]
    if not seen and not report.get('targets_without_luns'):
        errors.append('no path to %s in the kernel' % ', '.join(sorted(targets)))
    # The default iface's paths count as planned too: a host without a storage network (host3 of the
    # e2e) is meant to reach its targets through it.
    state, state_errors = judge_state(report, seen, set(nics) | {'default route'})
    errors += state_errors
    if errors:
        fail('%s: the report and the kernel differ:\n  %s' % (host, '\n  '.join(errors)))
    print('%s: the report matches the kernel path by path: %d paths, %d active, %d not; state %s, %d missing' % (
        host, len(seen), sum(1 for v in seen.values() if v[0]), sum(1 for v in seen.values() if not v[0]),
        state, len(report.get('missing') or [])))


def judge_state(report, seen, networks):
    """The report's host state, missing list and pathless LUNs judged against the kernel's paths.

    A planned iface is one the report files under a storage network of the lab (NETWORKS). From the
    kernel: a LUN with no active path makes the host non operational (as does a planned target
    with no LUN, which the kernel must confirm: no disk of it); a planned path that is not active,
    or a missing entry, makes it degraded; otherwise it is operational. Every planned path the
    kernel has not active must be named in `missing`, and nothing `missing` names may be active.
    Returns (the state the kernel gives, [differences])."""
    errors = []
    planned = {entry['iface'] for lun in report['luns'] for network, entries in lun['networks'].items()
               if network in networks for entry in entries}
    missing = report.get('missing') or []
    planned |= {m['iface'] for m in missing}

    def names(path_key, target):
        wwid, iface, portal = path_key[:3]
        return [m for m in missing if m['iface'] == iface and m['portal'] == portal
                and m['target'].lower() == target.lower() and m.get('wwid') in (None, wwid)]

    by_lun = {}
    for key, (active, why, target) in seen.items():
        by_lun.setdefault(key[0], []).append(active)
        if not active and key[1] in planned and not names(key, target):
            errors.append('%s %s via %s %s is not active in the kernel (%s) but the report does not name it missing'
                          % (key[0], key[3], key[1], key[2], why))
    for entry in missing:
        live = [k for k, (active, _why, target) in seen.items() if active and k[1] == entry['iface'] and k[2] == entry['portal']
                and target.lower() == entry['target'].lower() and entry.get('wwid') in (None, k[0])]
        if live:
            errors.append('the report names %s via %s %s missing (%s), but the kernel has it active: %s'
                          % (entry['target'], entry['iface'], entry['portal'], entry.get('reason'), ', '.join(k[3] for k in live)))
    pathless = sorted(w for w, actives in by_lun.items() if not any(actives))
    if sorted(report.get('luns_without_path') or []) != pathless:
        errors.append('LUNs without an active path: report %s, kernel %s' % (sorted(report.get('luns_without_path') or []), pathless))
    lunless = report.get('targets_without_luns') or []
    for target in lunless:
        if any(t.lower() == target.lower() for _a, _w, t in seen.values()):
            errors.append('the report says target %s has no LUN, but the kernel has disks of it' % target)
    if pathless or lunless:
        state = 'non operational'
    elif missing or report.get('refused') or any(not a and k[1] in planned for k, (a, _w, _t) in seen.items()):
        state = 'degraded'
    else:
        state = 'operational'
    if report.get('state') != state:
        errors.append('the report says the host is %s, the kernel says %s' % (report.get('state'), state))
    return state, errors


def timeouts(host, recovery, interval, timeout, replacement):
    """Every logged-in session: sysfs recovery_tmo (multipathd sets it to its fast_io_fail_tmo),
    recv_tmo / ping_tmo (NOP-Out interval and timeout), and its node record's replacement_timeout."""
    wanted = {'recovery_tmo': recovery, 'recv_tmo': interval, 'ping_tmo': timeout, 'replacement_timeout': replacement}
    sessions = [s for s in guest_read(host)['sessions'] if s['state'] == 'LOGGED_IN']
    if not sessions:
        fail('%s: no logged-in session' % host)
    errors = ['%s (%s via %s): %s %s, expected %s' % (s['session'], s['target'], s['iface'], key, s[key], value)
              for s in sessions for key, value in sorted(wanted.items()) if s[key] != str(value)]
    if errors:
        fail('%s: session timeouts differ from the role\'s:\n  %s' % (host, '\n  '.join(errors)))
    print('%s: %d logged-in sessions, each with recovery_tmo %s, NOP-Out interval %s and timeout %s (sysfs), '
          'replacement_timeout %s (node record)' % (host, len(sessions), recovery, interval, timeout, replacement))


def config_sections(text):
    """{section: {key: value}} of the top level of `multipathd show config` (quotes dropped)."""
    sections, section, depth = {}, None, 0
    for line in text.splitlines():
        words = line.split(None, 1)
        if not words:
            continue
        if words[-1].endswith('{'):
            depth += 1
            if depth == 1:
                section = sections.setdefault(words[0], {})
        elif words[0] == '}':
            depth -= 1
        elif depth == 1 and len(words) == 2:
            section[words[0]] = words[1].strip().strip('"')
    return sections


def multipathd(host, settings):
    """multipathd's effective config has exactly SECTION.KEY=VALUE for each setting, and each of its maps
    holds every path in one group that queues (no_path_retry) rather than fails at once."""
    proc = subprocess.run([LAB, 'ssh', host, '--', 'multipathd show config && echo "@@@" && multipathd show maps raw format "%w|%N|%f" '
                           '&& echo "@@@" && multipathd show maps topology'], capture_output=True, text=True, check=False, timeout=120)
    if proc.returncode != 0 or proc.stdout.count('@@@') != 2:
        fail('%s: multipathd show config/maps failed, rc %d: %s' % (host, proc.returncode, proc.stderr.strip()[-500:]))
    config, maps, topology = proc.stdout.split('@@@\n')
    sections = config_sections(config)
    errors = []
    for setting in settings:
        key, value = setting.split('=', 1)
        section, name = key.split('.', 1)
        got = sections.get(section, {}).get(name)
        if got != value:
            errors.append('%s %s is %s, expected exactly %s' % (section, name, got, value))
    rows = [line.split('|') for line in maps.splitlines() if line.count('|') == 2]
    if not rows:
        errors.append('no multipath map')
    groups = topology.count('policy=')
    for wwid, count, features in rows:
        if 'queue_if_no_path' not in features:
            errors.append('map %s: features %r lack queue_if_no_path' % (wwid, features.strip()))
    if groups != len(rows):
        errors.append('%d path groups in %d maps, expected one group a map (multibus)' % (groups, len(rows)))
    if errors:
        fail('%s: multipathd:\n  %s' % (host, '\n  '.join(errors)))
    print('%s: multipathd applies %s; %d maps, each one path group (%s paths) queueing' % (
        host, ' '.join(settings), len(rows), '/'.join(sorted({r[1].strip() for r in rows}))))


def main(argv):
    if len(argv) >= 3 and argv[1] == 'show':
        state = lab_state()
        for key, (active, why, _target) in sorted(kernel_paths(argv[2], {t['iqn'] for t in state['target']['targets']}).items()):
            print('%s %s via %s %s: %s (%s)' % (key[0], key[3], key[1], key[2], 'active' if active else 'NOT active', why))
    elif len(argv) == 4 and argv[1] == 'compare':
        compare(argv[2], argv[3])
    elif len(argv) == 7 and argv[1] == 'timeouts':
        timeouts(argv[2], *argv[3:])
    elif len(argv) >= 4 and argv[1] == 'multipathd':
        multipathd(argv[2], argv[3:])
    else:
        fail(__doc__)


if __name__ == '__main__':
    main(sys.argv)
