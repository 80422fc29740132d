# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's rulebook run by the real ansible-rulebook against the engine simulator.

ansible-rulebook runs ovirt_iscsi.multipath.iscsi_bond_events (the installed collection's, from
ANSIBLE_COLLECTIONS_PATH: scripts/test-eda points it at the built tarball) with its source
ovirt_events; the rulebook's playbooks are swapped for tests/eda/recorder.yml, which appends
one line per run (rule, event id, the playbook variables the rule passed). The engine is
changed through the SDK only, and what ran is read from the record, a reader that is neither
the source nor the rulebook. Steps:
  1. host2 deactivated then activated: the disconnect rule (asked for) and the paths rule for
     host2, each once; a bond added and a network added to it: the data center rule, each once.
  2. the rulebook stopped; host1 deactivated and activated meanwhile; a new rulebook without the
     disconnect variable: host1's activation handled once, no disconnect, nothing twice.
  3. the engine stopped for a while: the source says so in the rulebook's log, says when it
     answers again, and the events made right after are handled once.
  4. positive control: a rulebook that lost its state file and is told to start before host1's
     activation handles it again, and the record shows the duplicate the checks above look for.
"""

import json
import os
import signal
import subprocess
import time

import ovirtsdk4 as sdk
from ovirtsdk4 import types
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
RULEBOOK = 'ovirt_iscsi.multipath.iscsi_bond_events'
PATHS_RULE = 'A host the engine brought up gets its paths'
DC_RULE = 'A bond or a cluster\'s networks changed, so every host of the data center follows'
DISCONNECT_RULE = 'A host put in maintenance is disconnected from what this collection made, when asked'


class Rulebook:
    """One ansible-rulebook process with the collection's rulebook; its output in `log`."""

    def __init__(self, work, sim, record):
        self.work = work
        self.sim = sim
        self.record = record
        self.log = os.path.join(work, 'rulebook.log')
        self.process = None

    def start(self, **variables):
        variables.update(ovirt_iscsi_eda_state_file=os.path.join(self.work, 'state.json'),
                         ovirt_iscsi_eda_interval=1,
                         ovirt_iscsi_eda_paths_playbook=os.path.join(HERE, 'recorder.yml'),
                         ovirt_iscsi_eda_disconnect_playbook=os.path.join(HERE, 'recorder.yml'))
        with open(os.path.join(self.work, 'vars.json'), 'w', encoding='utf-8') as handle:
            json.dump(variables, handle)
        with open(os.path.join(self.work, 'inventory.yml'), 'w', encoding='utf-8') as handle:
            handle.write('all:\n  hosts:\n    host1:\n    host2:\n')
        # The engine credential as AAP injects it: environment only (the password is the seed's).
        env = dict(os.environ, OVIRT_URL=self.sim.url, OVIRT_USERNAME='admin@internal',
                   OVIRT_PASSWORD=self.sim.password('admin@internal'), OVIRT_CAFILE=self.sim.ca_file,
                   EDA_RECORD_FILE=self.record)
        with open(self.log, 'a', encoding='utf-8') as log:
            log.write('=== start %s\n' % time.strftime('%H:%M:%S'))
            log.flush()
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                ['ansible-rulebook', '-v', '-i', 'inventory.yml', '--rulebook', RULEBOOK, '--vars', 'vars.json'],
                cwd=self.work, env=env, stdout=log, stderr=subprocess.STDOUT)
        # Running once the source has taken its position (what came before is not its to handle).
        wait_for(lambda: self.positions() >= self.starts(), 60, 'the rulebook did not start its source', self)

    def positions(self):
        output = self.output()
        return output.count('ovirt_events: no saved position') + output.count('ovirt_events: going on after event')

    def starts(self):
        return self.output().count('=== start ')

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def output(self):
        with open(self.log, encoding='utf-8') as handle:
            return handle.read()


def wait_for(check, timeout, what, rulebook=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if rulebook is not None and rulebook.process is not None and rulebook.process.poll() is not None:
            break
        time.sleep(0.2)
    raise AssertionError('%s (after %ss)%s' % (what, timeout, '\n' + rulebook.output()[-6000:] if rulebook else ''))


def records(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding='utf-8') as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(name='setup')
def fixture_setup(engine_sim, tmp_path):
    with engine_sim.Simulator(persist=True, host_transition=1.0) as sim:
        connection = sdk.Connection(url=sim.url, username='admin@internal', password=sim.password('admin@internal'),
                                    ca_file=sim.ca_file)
        rulebook = Rulebook(str(tmp_path), sim, str(tmp_path / 'record.jsonl'))
        try:
            yield sim, connection, rulebook
        finally:
            rulebook.stop()
            connection.close()


def host(connection, name):
    hosts = connection.system_service().hosts_service()
    return hosts.host_service(hosts.list(search='name=%s' % name)[0].id)


def cycle(service):
    """Deactivate, wait for maintenance, activate (the engine's own steps in between)."""
    service.deactivate()
    wait_for(lambda: service.get().status == types.HostStatus.MAINTENANCE, 15, 'no maintenance')
    service.activate()


def expect(rulebook, count, what):
    wait_for(lambda: len(records(rulebook.record)) >= count, 90, what, rulebook)
    return records(rulebook.record)


def test_the_rulebook_follows_the_engine_once_per_event_across_restarts_and_an_engine_outage(setup):
    sim, connection, rulebook = setup
    # 1. Disconnect asked for (a --vars boolean, as AAP's activation variables give it).
    rulebook.start(ovirt_iscsi_eda_disconnect_on_maintenance=True, ovirt_iscsi_eda_hosts='hypervisors')
    cycle(host(connection, 'host2'))
    seen = expect(rulebook, 2, 'host2: no disconnect and paths run')
    bonds = connection.system_service().data_centers_service().data_center_service(
        connection.system_service().data_centers_service().list(search='name=Default')[0].id).iscsi_bonds_service()
    bond = bonds.add(types.IscsiBond(name='eda-bond'))
    network = connection.system_service().networks_service().list(search='name=iscsi-a and datacenter=Default')[0]
    bonds.iscsi_bond_service(bond.id).networks_service().add(types.Network(id=network.id))
    seen = expect(rulebook, 4, 'the bond changes were not handled')
    assert [(r['rule'], r['name'], r['hosts'], r['data_center'], r['bond']) for r in seen] == [
        (DISCONNECT_RULE, 'host_maintenance', 'host2', 'Default', None),
        (PATHS_RULE, 'host_activated', 'host2', 'Default', None),
        (DC_RULE, 'iscsi_bond_added', 'hypervisors', 'Default', 'eda-bond'),
        (DC_RULE, 'iscsi_bond_updated', 'hypervisors', 'Default', 'eda-bond'),
    ]
    # The events handled are the engine's (its log, read apart from the source).
    logged = {event['id']: event['type'] for event in sim.events()}
    assert [logged[r['id']] for r in seen] == ['USER_VDS_MAINTENANCE_WITHOUT_REASON', 'VDS_DETECTED',
                                               'ISCSI_BOND_ADD_SUCCESS', 'ISCSI_BOND_EDIT_SUCCESS']

    # 2. The rulebook stopped while the engine goes on; a new one without the disconnect variable.
    rulebook.stop()
    cycle(host(connection, 'host1'))
    wait_for(lambda: host(connection, 'host1').get().status == types.HostStatus.UP, 15, 'host1 not up')
    time.sleep(3)
    assert len(records(rulebook.record)) == 4
    rulebook.start()
    seen = expect(rulebook, 5, 'host1 activated while the rulebook was down was not handled')
    time.sleep(4)  # anything else would have come by now (interval 1 s)
    seen = records(rulebook.record)
    assert [(r['rule'], r['hosts']) for r in seen[4:]] == [(PATHS_RULE, 'host1')]
    assert 'ovirt_events: going on after event' in rulebook.output()

    # 3. The engine down for a while: said, retried, and caught up after.
    sim.halt()
    wait_for(lambda: rulebook.output().count('unavailable (try 3') >= 1, 30, 'the outage was not said', rulebook)
    sim.start()
    cycle(host(connection, 'host2'))
    seen = expect(rulebook, 6, 'host2 activated after the outage was not handled')
    wait_for(lambda: 'answers again after' in rulebook.output(), 30, 'the recovery was not said', rulebook)
    time.sleep(4)
    seen = records(rulebook.record)
    assert [(r['rule'], r['hosts']) for r in seen[5:]] == [(PATHS_RULE, 'host2')]
    # Every event handled once, across both rulebooks and the outage.
    ids = [r['id'] for r in seen]
    assert len(ids) == len(set(ids)) == 6 and ids == sorted(ids)
    rulebook.stop()

    # 4. Positive control: without its position a rulebook would handle an event again, and the
    # record shows it (the same id twice).
    os.unlink(os.path.join(rulebook.work, 'state.json'))
    rulebook.start(ovirt_iscsi_eda_start_at=seen[4]['id'] - 1)
    seen = expect(rulebook, 7, 'the replayed event was not handled')
    rulebook.stop()
    ids = [r['id'] for r in seen]
    assert ids[6] == ids[4] and len(set(ids)) == 6
    # No secret in the rulebook's output (source logs, playbook runs).
    assert sim.password('admin@internal') not in rulebook.output()
