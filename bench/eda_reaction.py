#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Event-Driven Ansible: how long the hosts take to follow the engine, with nobody running a playbook.

Runs tests/e2e/eda --measure (a lab of three guests of its own, the engine simulator, the real
ansible-rulebook running the collection's rulebook from the built tarball; see that script) and
turns what it measured into the table and bench/results/eda_reaction.json:
  activation_to_paths_s      from the engine's VDS_DETECTED event of host2 (its time in the
                             simulator's audit log) to the end of the kernel read
                             (tests/lib/kernel_paths.py) that first saw every LUN of the lab
                             active on host2 through both bond networks; host2 had no path at all
                             before (logged out and node records deleted, as VDSM disconnects a
                             host in maintenance). Goal <= 90 s on this machine's emulated guests.
  network_added_to_paths_s   the same from the ISCSI_BOND_EDIT_SUCCESS of iscsi-c added to the
                             bond through the SDK to every LUN active through it on host1 and
                             host2 (a data center wide run, three hosts at a time)
and, as references, each event to the start of its run (the source's poll, 2 s, and
ansible-rulebook's rule), the source's warnings during the engine's minute away, the poll
interval, the scenario's run time and the machine's load average at its start and end.
`--measured FILE` makes the table from the measurements a run wrote (tests/e2e/eda writes them to
tests/output/eda/measure.json; scripts/test-e2e runs it on tests/e2e/run's lab) instead of
running it again.

Measured 2026-12-05 10:16-10:19 (bench/results/eda_reaction.json, formatted with --measured from
the run of tests/e2e/eda in scripts/test-e2e, on tests/e2e/run's lab: four LUNs with the one that
run adds; 2 cores shared with other sessions, load average 3.3 at the start):
activation_to_paths_s 20.2 s (goal 90: met; the run started 1.4 s after the event),
network_added_to_paths_s 33.1 s (0.8 s). Other runs: 32.8 s and 48.6 s in the same place at load
5.4 (before the scenario made its bond through the rulebook); 22.0 s and 39.5 s alone on a lab of
its own at load 2; 61.3 s and 128.3 s before the rulebook passed a batch size to data center wide
runs (serial 1 then: the hosts one after another).
"""

import os
import sys

import benchlib

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure():
    """The scenario's measurements, from a run of tests/e2e/eda in a lab of its own (brought up and
    down by it, whatever E2E_REUSE_LAB or E2E_KEEP_LAB this shell has); None if it failed."""
    return benchlib.scenario('eda_reaction', 'eda', {
        'OVIRT_ISCSI_LAB_NAMESPACE': 'ovirt-iscsi-bench-eda', 'E2E_REUSE_LAB': '0', 'E2E_KEEP_LAB': '0',
        'EDA_E2E_LOGS': os.path.join(TOP, 'tests', 'output', 'bench-eda')})


def main():
    measured = benchlib.measurements(__doc__.splitlines()[0], 'a run of tests/e2e/eda --measure FILE (or tests/output/eda/measure.json)', measure)
    if measured is None:
        return 1
    load = '/'.join('%.1f' % value for value in measured['load_average_start'])
    metrics = [
        benchlib.metric('activation_to_paths_s', measured['activation_to_paths_s'], 's', '<= 90'),
        benchlib.metric('network_added_to_paths_s', measured['network_added_to_paths_s'], 's', 'reference'),
        benchlib.metric('activation_to_run_s', measured['activation_to_run_s'], 's', 'reference'),
        benchlib.metric('network_added_to_run_s', measured['network_added_to_run_s'], 's', 'reference'),
        benchlib.metric('eda_poll_interval_s', measured['poll_interval_s'], 's', 'reference'),
        benchlib.metric('engine_outage_warnings', measured['outage_warnings'], 'warnings', '>= 3 (in %d s)' % measured['outage_s']),
        benchlib.metric('eda_scenario_s', measured['runtime_s'], 's', 'reference (lab %s)' % (
            'reused, E2E_REUSE_LAB=1' if measured['lab_reused'] else 'brought up by the run')),
        benchlib.metric('load_average_at_start', load, '1/5/15 min', 'reference (2 cores)'),
        benchlib.metric('load_average_at_end', '/'.join('%.1f' % v for v in measured['load_average_end']), '1/5/15 min', 'reference'),
    ]
    benchlib.report('eda_reaction', metrics)
    return 0


if __name__ == '__main__':
    sys.exit(main())
