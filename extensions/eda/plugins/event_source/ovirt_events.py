# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovirt_events: follow an oVirt engine's events (its audit log) from a remembered id."""

import asyncio
import json
import logging
import os
import random
import re
import time

DOCUMENTATION = r"""
---
short_description: Follow an oVirt engine's events from a remembered id
description:
  - Polls the engine's events collection (C(GET /ovirt-engine/api/events?from=ID)) and puts the
    events iSCSI multipathing reacts to on the queue, oldest first, in a normalised shape under
    the key C(ovirt) (see RETURN below).
  - The id of the last event put on the queue is written to O(state_file) after the put, so a
    restarted rulebook goes on after it. The trade-off this makes is at-least-once up to
    ansible-rulebook's queue, at-most-once beyond it; see notes.
  - The engine down, unreachable or refusing the credential is retried with a growing delay and
    logged; the source never ends because of it.
  - Credentials as AWX/AAP's oVirt credential injects them (OVIRT_URL, OVIRT_USERNAME,
    OVIRT_PASSWORD, OVIRT_TOKEN, OVIRT_CAFILE), unless given as arguments.
  - Needs ovirt-engine-sdk-python in the environment that runs ansible-rulebook (a decision
    environment under AAP).
options:
  url:
    description: The engine's API URL, C(https://engine.example.com/ovirt-engine/api). Default C(OVIRT_URL).
    type: str
  username:
    description: User, C(admin@internal). Default C(OVIRT_USERNAME).
    type: str
  password:
    description: Password. Default C(OVIRT_PASSWORD). Never logged.
    type: str
  token:
    description:
      - An SSO token instead of username and password. Default C(OVIRT_TOKEN). Never logged.
      - The source cannot renew a token; an expired one is retried and logged until it is replaced.
    type: str
  ca_file:
    description: CA bundle of the engine's certificate. Default C(OVIRT_CAFILE).
    type: str
  insecure:
    description: Do not verify the engine's certificate (tests only).
    type: bool
    default: false
  state_file:
    description: Where the last event id put on the queue is kept (JSON, written atomically).
    type: str
    default: ~/.local/state/ovirt_iscsi/ovirt_events.json
  start_at:
    description:
      - Where to begin without a state file (or with one of another engine): C(newest) (only events
        after the newest one now), C(oldest) (every event the engine keeps), or an event id.
    type: str
    default: newest
  interval:
    description: Seconds between polls when the engine answered.
    type: float
    default: 10
  max_events:
    description:
      - Events asked for per request (C(max)). The engine answers the NEWEST N events after the
        id, so a full page is asked again with four times the size, up to O(backlog_limit), and
        beyond that without C(max): no event is skipped.
    type: int
    default: 100
  backlog_limit:
    description: The largest C(max) asked for before asking for the whole backlog at once.
    type: int
    default: 10000
  search:
    description: An engine search to narrow the events (C(event_datacenter=Default)).
    type: str
  timeout:
    description: Seconds one request may take.
    type: int
    default: 30
  backoff_initial:
    description: First retry delay, in seconds, after a failed poll.
    type: float
    default: 1
  backoff_max:
    description: The longest retry delay, in seconds.
    type: float
    default: 60
  disconnect_on_maintenance:
    description:
      - Sets C(ovirt.disconnect) on host_maintenance events, for a rulebook that disconnects a
        host put in maintenance only when asked. Strings C(true)/C(false) are read as booleans.
    type: bool
    default: false
  all_events:
    description: Also put events of other codes on the queue (name C(event_CODE)).
    type: bool
    default: false
notes:
  - Delivery. An id is written only after C(queue.put()) returned, so an event read but not yet
    handed to ansible-rulebook when the source stops is read again (never lost, possibly twice
    if the stop fell between the put and the write). An event already handed over is not sent
    again, even if ansible-rulebook stopped before its action ran or finished: the rulebook's
    playbooks are idempotent and every later event runs them on the whole state, so a missed run
    is repaired by the next one, whereas a duplicate would run the same playbook twice.
  - The engine's own flood regulation may suppress repeated identical events (EventFloodRegulator).
"""

EXAMPLES = r"""
- name: React to the engine
  hosts: all
  sources:
    - ovirt_iscsi.multipath.ovirt_events:
        state_file: /var/lib/eda/ovirt_events.json
        interval: 5
        search: event_datacenter=Default
  rules:
    - name: A host is up again
      condition: event.ovirt.name == "host_activated"
      action:
        debug:
          msg: "{{ event.ovirt.host.name }} is up"
"""

RETURN = r"""
ovirt:
  description: One engine event.
  type: dict
  contains:
    id: {description: The event id (audit log id), type: int}
    code: {description: The AuditLogType code, type: int}
    name:
      description:
        - host_activated (13 VDS_DETECTED "set to Up": the engine brought the host up and connected
          its storage), host_activation_started (16, 9502, 10454, 10455), host_maintenance (15,
          600, 620, 10452, 10453), host_status (13 with another status), iscsi_bond_added (10400,
          10407), iscsi_bond_updated (10402, 10406), iscsi_bond_removed (10404),
          iscsi_bond_networks_removed (2035), network_attached_to_cluster (946),
          network_detached_from_cluster (948); event_CODE for others (all_events).
      type: str
    severity: {description: normal, warning, error or alert, type: str}
    time: {description: ISO 8601, type: str}
    description: {description: The engine's text, type: str}
    correlation_id: {description: The request's correlation id, type: str}
    host: {description: "{id, name} or null", type: dict}
    cluster: {description: "{id, name} or null", type: dict}
    data_center: {description: "{id, name} or null", type: dict}
    user: {description: The user name, type: str}
    status: {description: The host status of a 13 event (up, non_operational, ...), type: str}
    bond: {description: The iSCSI bond's name (bond events), type: str}
    networks: {description: Network names (2035, 946, 948), type: list}
    disconnect: {description: host_maintenance only, the source's disconnect_on_maintenance, type: bool}
"""

LOG = logging.getLogger('ovirt_iscsi.multipath.ovirt_events')

# AuditLogType codes (oVirt/ovirt-engine backend/manager/modules/common/.../AuditLogType.java).
NAMES = {
    13: 'host_status', 16: 'host_activation_started', 9502: 'host_activation_started',
    10454: 'host_activation_started', 10455: 'host_activation_started',
    15: 'host_maintenance', 600: 'host_maintenance', 620: 'host_maintenance', 10452: 'host_maintenance',
    10453: 'host_maintenance',
    10400: 'iscsi_bond_added', 10407: 'iscsi_bond_added', 10402: 'iscsi_bond_updated',
    10406: 'iscsi_bond_updated', 10404: 'iscsi_bond_removed', 2035: 'iscsi_bond_networks_removed',
    946: 'network_attached_to_cluster', 948: 'network_detached_from_cluster',
}

# Texts of AuditLogMessages.properties the names come from.
_STATUS = re.compile(r' was set to (\w+)\.$')
_BOND_QUOTED = re.compile(r"^iSCSI bond '(.*?)' ")
_BOND_NETWORKS = re.compile(r'^The following Networks has been removed from the iSCSI bond (.*?): (.*?)\. for ')
_CLUSTER_NETWORK = re.compile(r'^Network (.*) (?:attached to|detached from) Cluster ')
_TRUE = ('1', 'true', 'yes', 'on')
_CURL_HANDLE = re.compile(r'<pycurl\.Curl object at 0x[0-9a-f]+>, ')


class EngineUnavailable(Exception):
    """The engine did not answer a poll (down, unreachable, refused the credential, a fault)."""


def status_name(text):
    """VDSStatus's name (NonOperational) -> the API's HostStatus (non_operational)."""
    return re.sub(r'(?<!^)(?=[A-Z])', '_', text).lower()


def normalise(record, disconnect=False, all_events=False):
    """A plain event record (event_record()) -> the queue's event, or None when not wanted."""
    name = NAMES.get(record['code'])
    if name is None and not all_events:
        return None
    event = dict(record, name=name or 'event_%d' % record['code'])
    text = record.get('description') or ''
    if record['code'] == 13:
        match = _STATUS.search(text)
        event['status'] = status_name(match.group(1)) if match else None
        event['name'] = 'host_activated' if event['status'] == 'up' else 'host_status'
    match = _BOND_QUOTED.match(text) or _BOND_NETWORKS.match(text)
    if name and name.startswith('iscsi_bond'):
        event['bond'] = match.group(1) if match else None
        if record['code'] == 2035 and match:
            event['networks'] = match.group(2).split(',')
    match = _CLUSTER_NETWORK.match(text)
    if name and name.startswith('network_') and match:
        event['networks'] = [match.group(1)]
    if event['name'] == 'host_maintenance':
        event['disconnect'] = bool(disconnect)
    return {'ovirt': event}


def as_bool(value):
    return value if isinstance(value, bool) else str(value).strip().lower() in _TRUE


class Backoff:
    """Delays after failures: initial, doubling, at most `maximum`, with up to 10 % jitter."""

    def __init__(self, initial=1.0, maximum=60.0, jitter=random.random):
        self.initial = initial
        self.maximum = maximum
        self._jitter = jitter
        self.failures = 0
        self.since = None

    def failed(self, now=None):
        """Count a failure; the seconds to wait before the next try."""
        if self.failures == 0:
            self.since = time.monotonic() if now is None else now
        self.failures += 1
        delay = min(self.maximum, self.initial * 2 ** (self.failures - 1))
        return delay * (1 + 0.1 * self._jitter())

    def succeeded(self):
        """Reset; the number of failures there were."""
        failures, self.failures = self.failures, 0
        return failures


class StateFile:
    """The last event id handed on, for one engine URL, in a JSON file replaced atomically."""

    def __init__(self, path, url):
        self.path = os.path.expanduser(path)
        self.url = url

    def load(self):
        """The saved id, or None (no file, another engine's, or unreadable: said in the log)."""
        try:
            with open(self.path, encoding='utf-8') as handle:
                saved = json.load(handle)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            LOG.warning('ovirt_events: state file %s unreadable (%s): starting anew', self.path, error)
            return None
        if not isinstance(saved, dict) or not isinstance(saved.get('last_id'), int):
            LOG.warning('ovirt_events: state file %s holds no last_id: starting anew', self.path)
            return None
        if saved.get('url') != self.url:
            LOG.warning('ovirt_events: state file %s is of %s, not %s: starting anew',
                        self.path, saved.get('url'), self.url)
            return None
        return saved['last_id']

    def save(self, last_id):
        directory = os.path.dirname(self.path) or '.'
        os.makedirs(directory, exist_ok=True)
        temporary = '%s.%d.tmp' % (self.path, os.getpid())
        with open(temporary, 'w', encoding='utf-8') as handle:
            json.dump({'url': self.url, 'last_id': last_id,
                       'saved': time.strftime('%Y-%m-%dT%H:%M:%S%z')}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)


def events_since(list_page, last_id, max_events, backlog_limit):
    """Every event after `last_id`, oldest first. `list_page(from_id, max)` answers as the engine
    does: newest first, at most `max` (None: all). A full page may hide older events, so it is
    asked again larger, then whole."""
    size = max_events
    while True:
        page = list_page(last_id, size)
        if size is None or len(page) < size:
            break
        if size >= backlog_limit:
            LOG.warning('ovirt_events: more than %d events since id %d: asking for all of them', size, last_id)
            size = None
        else:
            size = min(size * 4, backlog_limit)
    return sorted((event for event in page if event['id'] > last_id), key=lambda event: event['id'])


def config_from(args, environ):
    """The source's settings: arguments first, then the OVIRT_* environment."""
    def pick(name, variable):
        value = args.get(name)
        return value if value not in (None, '') else environ.get(variable) or None

    config = {
        'url': pick('url', 'OVIRT_URL'), 'username': pick('username', 'OVIRT_USERNAME'),
        'password': pick('password', 'OVIRT_PASSWORD'), 'token': pick('token', 'OVIRT_TOKEN'),
        'ca_file': pick('ca_file', 'OVIRT_CAFILE'), 'insecure': as_bool(args.get('insecure', False)),
        'state_file': args.get('state_file') or '~/.local/state/ovirt_iscsi/ovirt_events.json',
        'start_at': str(args.get('start_at', 'newest')), 'interval': float(args.get('interval', 10)),
        'max_events': int(args.get('max_events', 100)), 'backlog_limit': int(args.get('backlog_limit', 10000)),
        'search': args.get('search') or None, 'timeout': int(args.get('timeout', 30)),
        'backoff_initial': float(args.get('backoff_initial', 1)), 'backoff_max': float(args.get('backoff_max', 60)),
        'disconnect_on_maintenance': as_bool(args.get('disconnect_on_maintenance', False)),
        'all_events': as_bool(args.get('all_events', False)),
    }
    if not config['url']:
        raise ValueError('ovirt_events: no engine URL (argument url or OVIRT_URL)')
    if not config['token'] and not (config['username'] and config['password']):
        raise ValueError('ovirt_events: no credential (token or username and password, or OVIRT_*)')
    if config['start_at'] not in ('newest', 'oldest') and not config['start_at'].isdigit():
        raise ValueError('ovirt_events: start_at is newest, oldest or an event id, not %r' % config['start_at'])
    return config


class Engine:
    """The engine's events through ovirtsdk4 (blocking: called in a thread)."""

    def __init__(self, config):
        self.config = config
        self._connection = None
        self._names = {}

    def _system(self):
        import ovirtsdk4  # pylint: disable=import-outside-toplevel
        if self._connection is None:
            options = {'url': self.config['url'], 'ca_file': self.config['ca_file'],
                       'insecure': self.config['insecure'], 'timeout': self.config['timeout']}
            if self.config['token']:
                options['token'] = self.config['token']
            else:
                options.update(username=self.config['username'], password=self.config['password'])
            self._connection = ovirtsdk4.Connection(**options)
        return self._connection.system_service()

    def close(self):
        """Drop the connection; log out only of a session this source opened."""
        if self._connection is not None:
            try:
                self._connection.close(logout=not self.config['token'])
            except Exception:  # pylint: disable=broad-exception-caught
                pass  # the engine may be gone: nothing to log out of
            self._connection = None

    def _call(self, action):
        """Run `action(system_service)`; every failure is EngineUnavailable, the connection dropped.
        The SDK raises its Error (and AuthError) for faults and unreachable engines, and pycurl's
        own error when it cannot fetch a token."""
        try:
            return action(self._system())
        except Exception as error:  # pylint: disable=broad-exception-caught
            self.close()
            text = _CURL_HANDLE.sub('', str(error))
            raise EngineUnavailable('%s: %s' % (type(error).__name__, text)) from error

    def newest_id(self):
        """The newest event's id (0: none), whatever the search: a position in the whole log."""
        newest = self._call(lambda system: system.events_service().list(max=1))
        return int(newest[0].id) if newest else 0

    def events_since(self, last_id):
        def page(from_id, size):
            listed = self._call(lambda system: system.events_service().list(
                from_=from_id, max=size, search=self.config['search']))
            return [self._record(event) for event in listed]
        return events_since(page, last_id, self.config['max_events'], self.config['backlog_limit'])

    def _named(self, kind, ref):
        """{id, name} of an event's reference; the name looked up once when the event lacks it."""
        if ref is None or (ref.id is None and ref.name is None):
            return None
        if ref.name or ref.id is None:
            return {'id': ref.id, 'name': ref.name}
        key = (kind, ref.id)
        if key not in self._names:
            try:
                found = self._call(lambda system: getattr(getattr(system, '%s_service' % kind)(),
                                                          '%s_service' % kind[:-1])(ref.id).get())
                self._names[key] = found.name
            except EngineUnavailable as error:
                if type(error.__cause__).__name__ != 'NotFoundError':
                    raise
                self._names[key] = None  # removed since: the id still says which
        return {'id': ref.id, 'name': self._names[key]}

    def _record(self, event):
        return {
            'id': int(event.id), 'code': event.code,
            'severity': event.severity.value if event.severity else None,
            'time': event.time.isoformat() if event.time else None,
            'description': event.description, 'correlation_id': event.correlation_id,
            'host': self._named('hosts', event.host), 'cluster': self._named('clusters', event.cluster),
            'data_center': self._named('data_centers', event.data_center),
            'user': event.user.name if event.user is not None else None,
        }


class Follower:
    """The loop: poll, hand each event on, remember it; the engine's failures only delay it."""

    def __init__(self, config, engine=None, state=None, sleep=asyncio.sleep):
        self.config = config
        self.engine = engine or Engine(config)
        self.state = state or StateFile(config['state_file'], config['url'])
        self.backoff = Backoff(config['backoff_initial'], config['backoff_max'])
        self.sleep = sleep
        self.last_id = None

    async def _start_id(self):
        saved = self.state.load()
        if saved is not None:
            newest = await asyncio.to_thread(self.engine.newest_id)
            if newest < saved:
                LOG.warning('ovirt_events: the engine\'s newest event is %d, below the saved %d (a new '
                            'engine database?): going on after %d', newest, saved, newest)
                return newest
            LOG.info('ovirt_events: going on after event %d (%s)', saved, self.state.path)
            return saved
        if self.config['start_at'] == 'oldest':
            start = 0
        elif self.config['start_at'] == 'newest':
            start = await asyncio.to_thread(self.engine.newest_id)
        else:
            start = int(self.config['start_at'])
        LOG.info('ovirt_events: no saved position: starting after event %d (start_at %s)',
                 start, self.config['start_at'])
        return start

    async def poll_once(self, queue):
        """One poll: every new event put on the queue and remembered. Raises EngineUnavailable."""
        if self.last_id is None:
            self.last_id = await self._start_id()
            self.state.save(self.last_id)
        events = await asyncio.to_thread(self.engine.events_since, self.last_id)
        for record in events:
            event = normalise(record, self.config['disconnect_on_maintenance'], self.config['all_events'])
            if event is not None:
                await queue.put(event)
            # Only after the put, and before anything else can be awaited (a cancellation there
            # would send the event again): an event put on the queue is never read again.
            self.last_id = record['id']
            self.state.save(self.last_id)
            await asyncio.sleep(0)
        return len(events)

    async def run(self, queue):
        LOG.info('ovirt_events: following %s every %ss', self.config['url'], self.config['interval'])
        while True:
            try:
                count = await self.poll_once(queue)
            except EngineUnavailable as error:
                delay = self.backoff.failed()
                LOG.warning('ovirt_events: engine %s unavailable (try %d, for %.0f s): %s; retrying in %.1f s',
                            self.config['url'], self.backoff.failures, time.monotonic() - self.backoff.since,
                            error, delay)
                await self.sleep(delay)
                continue
            failures = self.backoff.succeeded()
            if failures:
                LOG.warning('ovirt_events: engine %s answers again after %d failed tries; caught up to '
                            'event %d (%d new)', self.config['url'], failures, self.last_id, count)
            await self.sleep(self.config['interval'])


async def main(queue: asyncio.Queue, args: dict):
    """ansible-rulebook's entry point."""
    follower = Follower(config_from(args, os.environ))
    try:
        await follower.run(queue)
    finally:
        await asyncio.to_thread(follower.engine.close)


if __name__ == '__main__':
    # Standalone: print the events of the engine in OVIRT_* (python ovirt_events.py).
    class MockQueue:
        """Prints what ansible-rulebook would get."""

        async def put(self, event):
            print(json.dumps(event))

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(MockQueue(), {'state_file': os.environ.get('OVIRT_EVENTS_STATE', './ovirt_events.json'),
                                   'interval': 2, 'start_at': 'newest'}))
