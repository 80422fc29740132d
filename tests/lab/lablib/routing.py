# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The target's replies on a subnet that several segments share (layouts/shared-subnet.yml).

Each segment is its own bridge in the namespace and holds one of the target's portals, like
the ports of a dual-controller array on two switches. With one subnet on two bridges the
namespace's main table has two connected routes to it and uses the first for every reply: a
reply to an initiator on the second segment would leave by the first bridge, where its NIC is
not (ARP fails, or another NIC answers it: ARP flux). So each portal of a shared subnet gets
source-address policy routing: `ip rule from PORTAL lookup T` with table T routing the subnet
through that portal's own bridge.

Why by the portal's address (the reply's source) and not by a /32 route per initiator address
or by the incoming interface:
- the portal an initiator addressed is the port its request came in on: the segments are
  separate bridges and the namespace answers ARP only for an address held by the interface
  the request arrived on (arp_ignore=1), so PORTAL is reachable only from its own segment;
- it covers every initiator address on the segment, not only the ones the plan knows when
  the lab comes up (a host booted later, an address a test adds), and it holds for replies
  the kernel makes without a socket (ICMP echo replies, TCP resets);
- it needs nothing but the routing core: marking by incoming interface needs netfilter, and
  this machine's kernel loads no modules;
- the reverse-path check of a packet from an initiator looks up the same rule (its source
  is the portal the packet went to), so it passes even if rp_filter were strict here.
"""

import ipaddress

from lablib import config

TABLE_BASE = 1000    # table and rule priority 1000 + the network's index: clear of main (254) and local


def segment_routes(desc):
    """The `ip` argument lists (after `ip -n NS`) that route each shared-subnet portal's replies
    through its own bridge; none for a layout without shared subnets."""
    index = {name: i for i, name in enumerate(config.network_names(desc))}
    by_name = {net['name']: net for net in desc['networks']}
    commands = []
    for subnet, names in config.shared_subnet_networks(desc).items():
        prefix = str(ipaddress.ip_network(subnet))
        for name in names:
            table = str(TABLE_BASE + index[name])
            portal = by_name[name]['target_address']
            commands.append(['route', 'add', prefix, 'dev', config.bridge_name(desc, name), 'src', portal,
                             'table', table])
            commands.append(['rule', 'add', 'from', portal, 'lookup', table, 'priority', table])
    return commands
