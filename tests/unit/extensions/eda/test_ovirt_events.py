# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure parts of the event source extensions/eda/plugins/event_source/ovirt_events.py:
normalisation, the state file, the backoff, reading a backlog the way the engine pages it,
the settings, and the order of put and save."""

import asyncio
import importlib.util
import json
import logging
import os

import pytest

PLUGIN = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..',
                      'extensions', 'eda', 'plugins', 'event_source', 'ovirt_events.py')
_SPEC = importlib.util.spec_from_file_location('ovirt_events', PLUGIN)
oe = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(oe)

HOST = {'id': 'h-2', 'name': 'host2'}
DC = {'id': 'dc-1', 'name': 'Default'}


def record(event_id, code, description, **fields):
    base = {'id': event_id, 'code': code, 'severity': 'normal', 'time': '2026-01-01T00:00:00+00:00',
            'description': description, 'correlation_id': None, 'host': None, 'cluster': None,
            'data_center': DC, 'user': 'admin@internal-authz'}
    base.update(fields)
    return base


# Texts as the engine writes them (AuditLogMessages.properties), as the simulator does.
@pytest.mark.parametrize('code, description, expected', [
    (13, 'Status of host host2 was set to Up.', {'name': 'host_activated', 'status': 'up'}),
    (13, 'Status of host host2 was set to NonOperational.', {'name': 'host_status', 'status': 'non_operational'}),
    (16, 'Activation of host host2 initiated by admin@internal-authz.', {'name': 'host_activation_started'}),
    (620, 'Host host2 was switched to Maintenance mode by admin@internal-authz.',
     {'name': 'host_maintenance', 'disconnect': False}),
    (600, 'Host host2 was switched to Maintenance mode by admin@internal-authz (Reason: x).',
     {'name': 'host_maintenance', 'disconnect': False}),
    (10400, "iSCSI bond 'bond-a' was successfully created in Data Center 'Default'.",
     {'name': 'iscsi_bond_added', 'bond': 'bond-a'}),
    (10407, "iSCSI bond 'bond-a' was successfully created in Data Center 'Default' but some of the hosts "
            'encountered connection issues.', {'name': 'iscsi_bond_added', 'bond': 'bond-a'}),
    # A bond name is letters, digits, '.', '_' and '-' (the engine's bean validation): read back whole.
    (10402, "iSCSI bond 'bond.a_1-x' was successfully updated.", {'name': 'iscsi_bond_updated', 'bond': 'bond.a_1-x'}),
    (10404, "iSCSI bond 'bond-a' was removed from Data Center 'Default'", {'name': 'iscsi_bond_removed', 'bond': 'bond-a'}),
    (2035, 'The following Networks has been removed from the iSCSI bond bond-a: iscsi-a,iscsi-b. for those '
           'changes to take affect, the hosts must be moved to maintenance and activated again.',
     {'name': 'iscsi_bond_networks_removed', 'bond': 'bond-a', 'networks': ['iscsi-a', 'iscsi-b']}),
    (946, 'Network iscsi-c attached to Cluster Default', {'name': 'network_attached_to_cluster', 'networks': ['iscsi-c']}),
    (948, 'Network iscsi-c detached from Cluster Default',
     {'name': 'network_detached_from_cluster', 'networks': ['iscsi-c']}),
])
def test_normalise_names_the_events_the_rulebook_matches(code, description, expected):
    event = oe.normalise(record(7, code, description, host=HOST))['ovirt']
    for key, value in expected.items():
        assert event[key] == value
    assert (event['id'], event['code'], event['host'], event['data_center']) == (7, code, HOST, DC)


def test_other_codes_are_left_out_unless_all_events():
    login = record(1, 30, "User admin@internal-authz connecting from '127.0.0.1' using session 'x' logged in.")
    assert oe.normalise(login) is None
    assert oe.normalise(login, all_events=True)['ovirt']['name'] == 'event_30'


def test_disconnect_is_said_on_maintenance_events_only():
    maintenance = record(1, 620, 'Host host2 was switched to Maintenance mode by admin@internal-authz.')
    assert oe.normalise(maintenance, disconnect=True)['ovirt']['disconnect'] is True
    assert 'disconnect' not in oe.normalise(record(2, 13, 'Status of host h was set to Up.'), disconnect=True)['ovirt']


@pytest.mark.parametrize('value, expected', [
    (True, True), (False, False), ('true', True), ('True', True), ('yes', True), ('1', True),
    ('false', False), ('', False), ('no', False), (0, False), (1, True)])
def test_as_bool_reads_env_var_strings(value, expected):
    assert oe.as_bool(value) is expected


def test_backoff_doubles_up_to_the_maximum_and_resets():
    backoff = oe.Backoff(1, 10, jitter=lambda: 0)
    assert [backoff.failed(now=100) for _try in range(6)] == [1, 2, 4, 8, 10, 10]
    assert backoff.since == 100
    assert backoff.succeeded() == 6 and backoff.failures == 0
    assert backoff.failed(now=200) == 1 and backoff.since == 200
    assert oe.Backoff(1, 10, jitter=lambda: 1).failed() == pytest.approx(1.1)


def test_state_file_round_trip_is_atomic_and_per_engine(tmp_path, caplog):
    path = tmp_path / 'sub' / 'state.json'
    state = oe.StateFile(str(path), 'https://a/ovirt-engine/api')
    assert state.load() is None
    state.save(41)
    state.save(42)
    assert state.load() == 42
    assert json.loads(path.read_text())['url'] == 'https://a/ovirt-engine/api'
    assert os.listdir(path.parent) == ['state.json']
    with caplog.at_level(logging.WARNING):
        assert oe.StateFile(str(path), 'https://b/ovirt-engine/api').load() is None
    assert 'is of https://a/ovirt-engine/api, not https://b' in caplog.text
    path.write_text('{not json')
    assert state.load() is None
    path.write_text('{"url": "https://a/ovirt-engine/api", "last_id": "7"}')
    assert state.load() is None


class EnginePages:
    """list_page as the engine answers: ids above from_id, newest first, the newest `size`."""

    def __init__(self, ids):
        self.ids = ids
        self.asked = []

    def __call__(self, from_id, size):
        self.asked.append(size)
        newer = sorted((i for i in self.ids if i > from_id), reverse=True)
        return [{'id': i} for i in (newer if size is None else newer[:size])]


def test_events_since_reads_a_backlog_larger_than_a_page_without_a_gap():
    pages = EnginePages(list(range(1, 251)))
    events = oe.events_since(pages, 0, 100, 10000)
    assert [event['id'] for event in events] == list(range(1, 251))
    assert pages.asked == [100, 400]


def test_events_since_asks_for_everything_beyond_the_backlog_limit(caplog):
    pages = EnginePages(list(range(1, 1001)))
    with caplog.at_level(logging.WARNING):
        events = oe.events_since(pages, 10, 10, 40)
    assert [event['id'] for event in events] == list(range(11, 1001))
    assert pages.asked == [10, 40, None]
    assert 'more than 40 events since id 10' in caplog.text


def test_events_since_a_page_that_is_exactly_full_is_asked_again():
    pages = EnginePages([5, 6, 7])
    assert [event['id'] for event in oe.events_since(pages, 4, 3, 100)] == [5, 6, 7]
    assert pages.asked == [3, 12]
    assert oe.events_since(EnginePages([]), 4, 3, 100) == []


def test_config_takes_arguments_then_the_ovirt_environment():
    environ = {'OVIRT_URL': 'https://e/ovirt-engine/api', 'OVIRT_USERNAME': 'u', 'OVIRT_PASSWORD': 'p',
               'OVIRT_CAFILE': '/ca.pem'}
    config = oe.config_from({'interval': '5', 'disconnect_on_maintenance': 'true'}, environ)
    assert (config['url'], config['username'], config['ca_file'], config['interval']) == (
        'https://e/ovirt-engine/api', 'u', '/ca.pem', 5.0)
    assert config['disconnect_on_maintenance'] is True and config['all_events'] is False
    assert oe.config_from({'url': 'https://x/ovirt-engine/api'}, environ)['url'] == 'https://x/ovirt-engine/api'
    assert oe.config_from({}, {'OVIRT_URL': 'https://e', 'OVIRT_TOKEN': 't'})['token'] == 't'
    with pytest.raises(ValueError, match='no engine URL'):
        oe.config_from({}, {})
    with pytest.raises(ValueError, match='no credential'):
        oe.config_from({}, {'OVIRT_URL': 'https://e', 'OVIRT_USERNAME': 'u'})
    with pytest.raises(ValueError, match='start_at'):
        oe.config_from({'start_at': 'yesterday'}, environ)


class FakeEngine:
    """Events 1..n of which `codes` says the code; `down` makes every call fail."""

    def __init__(self, codes):
        self.codes = codes
        self.down = False

    def newest_id(self):
        if self.down:
            raise oe.EngineUnavailable('down')
        return max(self.codes, default=0)

    def events_since(self, last_id):
        if self.down:
            raise oe.EngineUnavailable('down')
        return [record(i, code, 'Status of host h was set to Up.' if code == 13 else 'x')
                for i, code in sorted(self.codes.items()) if i > last_id]

    def close(self):
        pass


def follower_for(tmp_path, engine, start_at='oldest'):
    config = oe.config_from({'url': 'https://e', 'token': 't', 'state_file': str(tmp_path / 's.json'),
                             'start_at': start_at, 'backoff_initial': 1, 'backoff_max': 4}, {})
    return oe.Follower(config, engine=engine)


class RecordingQueue:
    """Records what was put and the saved id at that moment; cancels at the `cancel_at`th put."""

    def __init__(self, follower, cancel_at=None):
        self.follower = follower
        self.cancel_at = cancel_at
        self.items = []

    async def put(self, event):
        if self.cancel_at is not None and len(self.items) + 1 == self.cancel_at:
            raise asyncio.CancelledError()
        self.items.append((event['ovirt']['id'], self.follower.state.load()))


def test_an_id_is_saved_after_its_put_and_a_cancelled_put_is_read_again(tmp_path):
    engine = FakeEngine({1: 30, 2: 13, 3: 30, 4: 13, 5: 13})
    follower = follower_for(tmp_path, engine)
    queue = RecordingQueue(follower, cancel_at=2)
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(follower.poll_once(queue))
    # Event 2 was put while the saved id was still 1 (the login before it); 4 was never put.
    assert queue.items == [(2, 1)]
    assert follower.state.load() == 3
    # A new rulebook: the first event not handed over comes first, nothing twice.
    again = follower_for(tmp_path, engine)
    queue = RecordingQueue(again)
    asyncio.run(again.poll_once(queue))
    assert queue.items == [(4, 3), (5, 4)]
    assert again.state.load() == 5


def test_without_a_state_file_newest_starts_after_the_newest_event(tmp_path):
    engine = FakeEngine({1: 13, 2: 13})
    follower = follower_for(tmp_path, engine, start_at='newest')
    queue = RecordingQueue(follower)
    asyncio.run(follower.poll_once(queue))
    assert queue.items == [] and follower.state.load() == 2
    engine.codes[3] = 13
    asyncio.run(follower.poll_once(queue))
    assert queue.items == [(3, 2)]


def test_a_saved_id_above_the_engines_newest_goes_on_after_the_newest(tmp_path, caplog):
    engine = FakeEngine({1: 13, 2: 13})
    oe.StateFile(str(tmp_path / 's.json'), 'https://e').save(90)
    follower = follower_for(tmp_path, engine)
    with caplog.at_level(logging.WARNING):
        asyncio.run(follower.poll_once(RecordingQueue(follower)))
    assert follower.last_id == 2 and 'below the saved 90' in caplog.text


def test_the_engine_down_is_retried_with_backoff_said_and_caught_up(tmp_path, caplog):
    engine = FakeEngine({1: 13})
    follower = follower_for(tmp_path, engine)
    queue = RecordingQueue(follower)
    slept = []

    async def sleep(seconds):
        slept.append(seconds)
        if len(slept) == 1:
            engine.down = True
        if len(slept) == 4:
            engine.down = False
            engine.codes[2] = 13
        if len(slept) == 5:
            raise asyncio.CancelledError()

    follower.sleep = sleep
    with caplog.at_level(logging.WARNING), pytest.raises(asyncio.CancelledError):
        asyncio.run(follower.run(queue))
    assert [int(seconds) for seconds in slept] == [10, 1, 2, 4, 10]
    assert [item[0] for item in queue.items] == [1, 2]
    assert caplog.text.count('unavailable') == 3
    assert 'answers again after 3 failed tries; caught up to event 2' in caplog.text
