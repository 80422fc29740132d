#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Engine requests per module run, counted by the simulator (not a timed test).

- ``bond_idempotent_requests_N``: an ``iscsi_bond`` run that changes nothing, on a
  data center with N storage networks, N connections and N bonds (each bond holding
  every network and connection), N = 1, 10, 100. Goal: at most 2, whatever N.
- ``bond_info_hosts_requests_N``: ``iscsi_bond_info`` with ``host_plan: true`` on a
  data center with N hosts, N = 10, 200. Goal: at most 3, whatever N (README.md's number).

Each run is a real ``ansible-playbook`` run of the module against the simulator
over HTTPS; the playbook also asserts that the run found what it should (no
change, every member, every host), so a count cannot come from a run that did
nothing. SSO login/logout and ``/__sim__/`` calls are not counted by the simulator.
Run with the project's environment: ``source scripts/env.sh && bench/bond_requests.py``.
"""

import json
import os
import subprocess
import sys
import tempfile

import benchlib

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
harness = benchlib.engine_sim()

BOND_SIZES = (1, 10, 100)
HOST_SIZES = (10, 200)

IDEMPOTENT_PLAY = """
- name: Idempotent iscsi_bond run
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Apply the bond as it already is
      ovirt_iscsi.multipath.iscsi_bond:
        auth: "{{ auth }}"
        data_center: Default
        name: bond000
        networks: "{{ networks }}"
        storage_connections: "{{ portals }}"
      register: result
    - name: Nothing changed and every member is there
      ansible.builtin.assert:
        that:
          - result is not changed
          - result.iscsi_bond.networks | length == networks | length
          - result.iscsi_bond.storage_connections | length == portals | length
"""

INFO_PLAY = """
- name: iscsi_bond_info with the host plan
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Read the bonds and the plan of every host
      ovirt_iscsi.multipath.iscsi_bond_info:
        auth: "{{ auth }}"
        data_center: Default
        host_plan: true
      register: result
    - name: Every host is planned with one iface per storage network
      ansible.builtin.assert:
        that:
          - result.host_plan | length == hosts
          - result.host_plan | map(attribute='ifaces') | map('length') | unique | list == [2]
"""


def run_play(sim, play, extra):
    """Reset the counter, run the play once, return the simulator's stats."""
    extra = dict(extra, auth={'url': sim.url, 'username': 'admin@internal',
                              'password': sim.password('admin@internal'), 'ca_file': sim.ca_file},
                 ansible_python_interpreter=sys.executable)
    with tempfile.TemporaryDirectory() as work:
        play_path = os.path.join(work, 'play.yml')
        vars_path = os.path.join(work, 'vars.json')
        with open(play_path, 'w', encoding='utf-8') as handle:
            handle.write(play)
        with os.fdopen(os.open(vars_path, os.O_WRONLY | os.O_CREAT, 0o600), 'w') as handle:
            json.dump(extra, handle)
        sim.reset_stats()
        done = subprocess.run(['ansible-playbook', '-i', 'localhost,', '-c', 'local', '-e', '@' + vars_path, play_path],
                              capture_output=True, text=True, check=False)
        stats = sim.stats()
    if done.returncode != 0:
        sys.stdout.write(done.stdout + done.stderr)
        raise SystemExit('bond_requests: the play failed')
    return stats


def breakdown(stats):
    rows = stats.get('by_path') or stats.get('breakdown') or stats.get('paths') or {}
    return json.dumps(rows, sort_keys=True)


def main():
    metrics = []
    for size in BOND_SIZES:
        seed = harness.make_seed(hosts=2, networks=size, connections=size, bonds=size)
        networks = ['storage-%03d' % index for index in range(size)]
        portals = [{'address': '198.19.0.%d' % (index + 1), 'port': 3260, 'target': 'iqn.2026-01.test.sim:scale'}
                   for index in range(size)]
        with harness.Simulator(seed=seed) as sim:
            stats = run_play(sim, IDEMPOTENT_PLAY, {'networks': networks, 'portals': portals})
        print('bond_idempotent_requests_%d: %s' % (size, breakdown(stats)), file=sys.stderr)
        metrics.append(benchlib.metric('bond_idempotent_requests_%d' % size, stats['requests'], 'requests', '<= 2'))
    for size in HOST_SIZES:
        with harness.Simulator(seed=harness.make_seed(hosts=size, networks=2, connections=2, bonds=1)) as sim:
            stats = run_play(sim, INFO_PLAY, {'hosts': size})
        print('bond_info_hosts_requests_%d: %s' % (size, breakdown(stats)), file=sys.stderr)
        metrics.append(benchlib.metric('bond_info_hosts_requests_%d' % size, stats['requests'], 'requests', '<= 3'))
    path = benchlib.report('bond_requests', metrics)
    print('written: %s' % os.path.relpath(path, TOP))
    over = [m['name'] for m in metrics if m['value'] > int(m['goal'].split()[-1])]
    if over:
        raise SystemExit('bond_requests: over the goal: %s' % ', '.join(over))


if __name__ == '__main__':
    main()
