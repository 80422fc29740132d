# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's one in-memory entity store: plain dicts per table."""

import copy
import hashlib
import json
import os
import threading
import uuid

TABLES = (
    'data_centers', 'clusters', 'networks', 'cluster_networks', 'hosts', 'host_nics',
    'network_attachments', 'storage_domains', 'storage_connections', 'iscsi_bonds',
    'users', 'roles', 'permissions', 'events',
)

# Fields that hold secrets: the snapshot shows a digest so tests can still
# see a change, but the value itself never leaves the simulator.
_SECRET_FIELDS = ('password',)

_ID_NAMESPACE = uuid.UUID('6f1b6c2e-6d3a-4e0e-9a51-0b5e1c1a7d00')


def stable_id(*parts):
    """A deterministic id, so a seed yields the same ids on every start."""
    return str(uuid.uuid5(_ID_NAMESPACE, '/'.join(str(part) for part in parts)))


def new_id():
    return str(uuid.uuid4())


def is_uuid(text):
    try:
        uuid.UUID(text)
    except (ValueError, TypeError, AttributeError):
        return False
    return True


class Store:
    """Tables of records (dicts with an `id`), guarded by one lock."""

    def __init__(self):
        self.lock = threading.RLock()
        self.tables = {name: {} for name in TABLES}
        # Indexes for where() on one field, rebuilt after any change: handlers edit
        # records in place, so every write request calls touch() (the server does).
        self._indexes = {}
        # The audit_log_id sequence: the last event id given out.
        self.event_sequence = 0

    def touch(self):
        self._indexes = {}

    def get(self, table, record_id):
        return self.tables[table].get(record_id)

    def all(self, table):
        return list(self.tables[table].values())

    def where(self, table, **conditions):
        if len(conditions) == 1:
            field, value = next(iter(conditions.items()))
            index = self._indexes.get((table, field))
            if index is None:
                index = {}
                for record in self.tables[table].values():
                    key = record.get(field)
                    if isinstance(key, (str, int, type(None))):
                        index.setdefault(key, []).append(record)
                self._indexes[(table, field)] = index
            return list(index.get(value, ()))
        return [
            record for record in self.tables[table].values()
            if all(record.get(key) == value for key, value in conditions.items())
        ]

    def insert(self, table, record):
        record.setdefault('id', new_id())
        self.tables[table][record['id']] = record
        self._indexes = {}
        return record

    def delete(self, table, record_id):
        self._indexes = {}
        return self.tables[table].pop(record_id, None)

    # Relations the handlers and the follow logic share.

    def dc_of_cluster(self, cluster_id):
        cluster = self.get('clusters', cluster_id)
        return cluster['data_center'] if cluster else None

    def hosts_of_dc(self, dc_id):
        return [host for host in self.all('hosts') if self.dc_of_cluster(host['cluster']) == dc_id]

    def domains_of_dc(self, dc_id):
        return self.where('storage_domains', data_center=dc_id)

    def dc_iscsi_connection_ids(self, dc_id):
        """Connections the engine counts as the DC's iSCSI ones (storages_san_sp.sql)."""
        ids = []
        for domain in self.domains_of_dc(dc_id):
            if domain['status'] not in ('active', 'inactive', 'unknown'):
                continue
            for connection_id in domain['connections']:
                connection = self.get('storage_connections', connection_id)
                if connection and connection['type'] == 'iscsi' and connection_id not in ids:
                    ids.append(connection_id)
        return ids

    def save(self, path):
        """Every table as it is, secrets included (a test's state dir, mode 0600), for --persist."""
        with self.lock:
            document = {'event_sequence': self.event_sequence,
                        'tables': {name: list(table.values()) for name, table in self.tables.items()}}
        temporary = path + '.tmp'
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, 'w', encoding='utf-8') as handle:
            json.dump(document, handle)
        os.replace(temporary, path)

    def events(self, after=0):
        """The audit log's entries with an id above `after`, oldest first."""
        with self.lock:
            return [copy.deepcopy(self.tables['events'][event_id])
                    for event_id in sorted(self.tables['events']) if event_id > after]

    @classmethod
    def load(cls, path):
        """A store saved by save()."""
        with open(path, encoding='utf-8') as handle:
            document = json.load(handle)
        store = cls()
        store.event_sequence = document['event_sequence']
        for name, records in document['tables'].items():
            for record in records:
                store.tables[name][record['id']] = record
        return store

    def snapshot(self):
        """Every entity, secrets replaced by a digest, in a stable order. The audit log is not
        an entity (every login writes to it): events() serves it."""
        with self.lock:
            result = {}
            for name, table in self.tables.items():
                if name == 'events':
                    continue
                records = []
                for record_id in sorted(table):
                    record = copy.deepcopy(table[record_id])
                    for field in _SECRET_FIELDS:
                        if record.get(field):
                            record[field] = 'sha256:' + hashlib.sha256(record[field].encode()).hexdigest()
                    records.append(record)
                result[name] = records
            return result
