# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers for the simulator tests: SDK connections, ids by name (the harness is the engine_sim fixture)."""

import ovirtsdk4 as sdk


def connect(sim, user='admin@internal', **options):
    return sdk.Connection(url=sim.url, username=user, password=sim.password(user), ca_file=sim.ca_file, **options)


class Names:
    """Ids of the default seed's entities, by name, read through the API."""

    def __init__(self, connection):
        system = connection.system_service()
        self.dcs = {dc.name: dc.id for dc in system.data_centers_service().list()}
        self.networks = {}
        for network in system.networks_service().list():
            dc_name = next(name for name, dc_id in self.dcs.items() if dc_id == network.data_center.id)
            self.networks[(dc_name, network.name)] = network.id
        self.domains = {}
        for domain in system.storage_domains_service().list(follow='storage_connections'):
            self.domains[domain.name] = [conn.id for conn in domain.storage_connections]
        self.system = system

    def bonds_service(self, dc_name='Default'):
        return self.system.data_centers_service().data_center_service(self.dcs[dc_name]).iscsi_bonds_service()

    def net(self, name, dc_name='Default'):
        return self.networks[(dc_name, name)]
