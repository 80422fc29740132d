#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine side of tests/e2e/eda: what a person does in the engine, through the raw SDK
(ovirtsdk4, never the collection's modules), and the engine's own audit log, read from the
simulator's /__sim__/events (not through the event source under test).

  eda_engine.py bond NAME NETWORK,... DOMAIN    an iSCSI bond of those networks and every
                                                connection of the storage domain
  eda_engine.py add-network BOND NETWORK        a network added to the bond (its networks service)
  eda_engine.py deactivate HOST SECONDS         deactivate; wait (at most SECONDS) for maintenance
  eda_engine.py activate HOST SECONDS           activate; wait for up
  eda_engine.py newest                          the newest event id
  eda_engine.py event AFTER TYPE HOST SECONDS   wait for the first event of TYPE (an AuditLogType
                                                name; HOST or -) after id AFTER; print 'ID EPOCH'
  eda_engine.py handled AFTER                   the ids after AFTER of the events the rulebook has
                                                a rule for (host up, bond added/edited/removed,
                                                network attached/detached), by the engine's types
The engine credential comes from OVIRT_URL, OVIRT_USERNAME, OVIRT_PASSWORD and OVIRT_CAFILE.
"""

import datetime
import json
import os
import ssl
import sys
import time
import urllib.request

import ovirtsdk4 as sdk
from ovirtsdk4 import types

# The engine's types the rulebook acts on (with its disconnect rule off): VDS_DETECTED only when
# the host was set to Up.
HANDLED = ('ISCSI_BOND_ADD_SUCCESS', 'ISCSI_BOND_EDIT_SUCCESS', 'ISCSI_BOND_REMOVE_SUCCESS',
           'NETWORK_ATTACH_NETWORK_TO_CLUSTER', 'NETWORK_DETACH_NETWORK_TO_CLUSTER')


def fail(message):
    print('eda_engine: FAIL: %s' % message)
    sys.exit(1)


def connect():
    return sdk.Connection(url=os.environ['OVIRT_URL'], username=os.environ['OVIRT_USERNAME'],
                          password=os.environ['OVIRT_PASSWORD'], ca_file=os.environ['OVIRT_CAFILE'])


def sim_events(after=0):
    """The engine's audit log after id AFTER, oldest first (the simulator's own view)."""
    base = os.environ['OVIRT_URL'].rsplit('/ovirt-engine/api', 1)[0]
    context = ssl.create_default_context(cafile=os.environ['OVIRT_CAFILE'])
    with urllib.request.urlopen('%s/__sim__/events?after=%d' % (base, after), context=context, timeout=30) as answer:
        return json.load(answer)['events']


def epoch(event):
    return datetime.datetime.fromisoformat(event['time']).timestamp()


def data_center(system):
    return system.data_centers_service().data_center_service(
        system.data_centers_service().list(search='name=Default')[0].id)


def network_id(system, name):
    found = system.networks_service().list(search='name=%s and datacenter=Default' % name)
    return found[0].id if found else fail('no network %s in Default' % name)


def bond(system, name, networks, domain):
    found = system.storage_domains_service().list(search='name=%s' % domain)
    if not found:
        fail('no storage domain %s' % domain)
    connections = system.storage_domains_service().storage_domain_service(found[0].id).storage_connections_service().list()
    added = data_center(system).iscsi_bonds_service().add(types.IscsiBond(
        name=name, networks=[types.Network(id=network_id(system, n)) for n in networks.split(',')],
        storage_connections=[types.StorageConnection(id=c.id) for c in connections]))
    print('bond %s (%s): networks %s, %d connections of %s' % (name, added.id, networks, len(connections), domain))


def add_network(system, bond_name, network):
    bonds = data_center(system).iscsi_bonds_service()
    found = [b for b in bonds.list() if b.name == bond_name]
    if not found:
        fail('no bond %s' % bond_name)
    bonds.iscsi_bond_service(found[0].id).networks_service().add(types.Network(id=network_id(system, network)))
    print('network %s added to bond %s' % (network, bond_name))


def host_action(system, name, action, seconds):
    hosts = system.hosts_service()
    found = hosts.list(search='name=%s' % name)
    if not found:
        fail('no host %s' % name)
    service = hosts.host_service(found[0].id)
    getattr(service, action)()
    wanted = types.HostStatus.MAINTENANCE if action == 'deactivate' else types.HostStatus.UP
    deadline = time.monotonic() + float(seconds)
    while service.get().status != wanted:
        if time.monotonic() > deadline:
            fail('%s: not %s %s s after %s (%s)' % (name, wanted.value, seconds, action, service.get().status.value))
        time.sleep(0.2)
    print('%s: %s' % (name, wanted.value))


def wait_event(after, kind, host, seconds):
    deadline = time.monotonic() + float(seconds)
    while True:
        for event in sim_events(after):
            if event['type'] == kind and host in ('-', event['host_name']):
                print(event['id'], '%.3f' % epoch(event))
                return
        if time.monotonic() > deadline:
            fail('no %s event%s after id %d in %s s' % (kind, '' if host == '-' else ' of ' + host, after, seconds))
        time.sleep(0.2)


def handled(after):
    ids = [e['id'] for e in sim_events(after) if e['type'] in HANDLED
           or (e['type'] == 'VDS_DETECTED' and e['message'].endswith(' was set to Up.'))]
    print(' '.join(str(i) for i in ids))


def main(argv):
    command = argv[1] if len(argv) > 1 else None
    if command == 'newest' and len(argv) == 2:
        print(max([e['id'] for e in sim_events()] or [0]))
    elif command == 'event' and len(argv) == 6:
        wait_event(int(argv[2]), argv[3], argv[4], argv[5])
    elif command == 'handled' and len(argv) == 3:
        handled(int(argv[2]))
    elif command in ('bond', 'add-network', 'deactivate', 'activate') and len(argv) in (4, 5):
        connection = connect()
        try:
            system = connection.system_service()
            if command == 'bond' and len(argv) == 5:
                bond(system, *argv[2:])
            elif command == 'add-network' and len(argv) == 4:
                add_network(system, *argv[2:])
            elif command in ('deactivate', 'activate') and len(argv) == 4:
                host_action(system, argv[2], command, argv[3])
            else:
                fail(__doc__)
        finally:
            connection.close()
    else:
        fail(__doc__)


if __name__ == '__main__':
    main(sys.argv)
