#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Engine requests of the whole datacenter_paths playbook, counted by the simulator.

- ``playbook_requests_hosts_3``: the data center of the lab (``tests/lab/lab engine-seed
  --hosts 3``: the lab's three guests, iscsi-a/b/c, six connections) with the bond
  ``lab-bond`` over iscsi-a and iscsi-b.
- ``playbook_requests_hosts_200``: ``harness.make_seed(hosts=200, networks=2,
  connections=2, bonds=1)``, 200 hosts carrying both bond networks.

What runs, honestly: ``ansible-playbook ovirt_iscsi.multipath.datacenter_paths --check``
against the simulator over HTTPS, with an inventory of the engine's hosts (matched by
address) and the bond to ensure given in ``datacenter_paths_bonds`` (so the ensure step is
counted). The host play is skipped with ``--skip-tags datacenter_paths_hosts``: there are no
200 guests to reach, and the host play sends no engine request (it talks only to the hosts;
``tests/e2e/run`` runs it for real on the lab and prints the engine requests of that run).
So the count covers the ensure step, the one plan read, the matching and the report of every
host. The playbook is first run once without ``--check`` to create the lab bond; the counter
is reset before the measured run. Each run must pair every engine host with the inventory and
report it, or the benchmark fails. SSO login/logout is not counted by the simulator.
Goal: at most 5 (README.md's number), the same for 3 and for 200 hosts (the plan is read once,
whatever the hosts).
Run with the project's environment: ``source scripts/env.sh && bench/playbook_requests.py``.
"""

import json
import os
import subprocess
import sys
import tempfile

import benchlib

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# README.md's number for the whole playbook in check mode.
MOST = 5
harness = benchlib.engine_sim()
# lablib is importable only after benchlib.engine_sim() put tests/lab on sys.path.
from lablib import config, engine_seed  # noqa: E402  pylint: disable=wrong-import-position


def run_playbook(sim, work, seed, bond, check):
    """One datacenter_paths run (host play skipped); the report it wrote."""
    hosts = [h for dc in seed['data_centers'] for c in dc.get('clusters') or [] for h in c.get('hosts') or []]
    inventory = {'all': {'hosts': {h['name']: {'ansible_host': h['address']} for h in hosts}}}
    report = os.path.join(work, 'report.json')
    variables = {'datacenter_paths_data_center': 'Default', 'datacenter_paths_bonds': [bond],
                 'datacenter_paths_chap_secrets': {c['target']: 'bench-not-a-secret'
                                                   for dc in seed['data_centers'] for d in dc.get('storage_domains') or []
                                                   for c in d.get('connections') or [] if c.get('username')},
                 'datacenter_paths_report_file': report, 'ansible_python_interpreter': sys.executable}
    with open(os.path.join(work, 'inventory.json'), 'w', encoding='utf-8') as handle:
        json.dump(inventory, handle)
    with os.fdopen(os.open(os.path.join(work, 'vars.json'), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w') as handle:
        json.dump(variables, handle)
    env = dict(os.environ, OVIRT_URL=sim.url, OVIRT_USERNAME='admin@internal', OVIRT_PASSWORD=sim.password('admin@internal'),
               OVIRT_CAFILE=sim.ca_file)
    if os.path.exists(report):
        os.unlink(report)
    done = subprocess.run(['ansible-playbook', '-i', os.path.join(work, 'inventory.json'), '-e', '@' + os.path.join(work, 'vars.json'),
                           '--skip-tags', 'datacenter_paths_hosts', 'ovirt_iscsi.multipath.datacenter_paths']
                          + (['--check'] if check else []), env=env, capture_output=True, text=True, check=False)
    # The hosts are reported as skipped (the host play was skipped by its tag), which fails nothing;
    # the run must have paired every host first.
    marker = 'engine hosts missing from the inventory: none'
    if marker not in done.stdout or 'inventory hosts the engine does not know: none' not in done.stdout:
        sys.stdout.write(done.stdout + done.stderr)
        raise SystemExit('playbook_requests: the playbook did not pair every host')
    return len(hosts), done


def measure(seed, bond):
    with tempfile.TemporaryDirectory() as work, harness.Simulator(seed=seed) as sim:
        run_playbook(sim, work, seed, bond, check=False)
        sim.reset_stats()
        count, done = run_playbook(sim, work, seed, bond, check=True)
        stats = sim.stats()
    if done.returncode != 0:
        sys.stdout.write(done.stdout + done.stderr)
        raise SystemExit('playbook_requests: ansible-playbook rc %d' % done.returncode)
    # One printed line per host leads the report: 'host0001  skipped  0 LUNs  storage-000 0/2 ...'.
    reported = sum(1 for line in done.stdout.splitlines() if '  skipped  ' in line and ' LUNs ' in line)
    if reported != count:
        raise SystemExit('playbook_requests: the table reports %d of %d hosts' % (reported, count))
    return count, stats


def main():
    lab_seed = engine_seed.build(config.load(config.default_path()), 3)
    cases = [
        (lab_seed, {'name': 'lab-bond', 'networks': ['iscsi-a', 'iscsi-b'], 'storage_domains': ['lab-iscsi']}),
        (harness.make_seed(hosts=200, networks=2, connections=2, bonds=1),
         {'name': 'bond000', 'networks': ['storage-000', 'storage-001'], 'storage_domains': ['iscsi-00']}),
    ]
    metrics = []
    for seed, bond in cases:
        count, stats = measure(seed, bond)
        print('playbook_requests_hosts_%d: %s' % (count, json.dumps(stats, sort_keys=True)), file=sys.stderr)
        metrics.append(benchlib.metric('playbook_requests_hosts_%d' % count, stats['requests'], 'requests',
                                       '== hosts_3' if metrics else '<= %d' % MOST))
    path = benchlib.report('playbook_requests', metrics)
    print('written: %s' % os.path.relpath(path, TOP))
    if metrics[0]['value'] > MOST or metrics[1]['value'] != metrics[0]['value']:
        raise SystemExit('playbook_requests: requests grow with the hosts or exceed %d' % MOST)


if __name__ == '__main__':
    main()
