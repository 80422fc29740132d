# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A storage network black-holed on a guest, link left up (tests/lab/lab drop): tc in the guest.

The portal then never answers, as behind a firewall or a dead array port: a TCP connect times
out instead of failing at once. This machine's kernel has no netem qdisc nor u32 or matchall
classifier, so the namespace side cannot do it (a tbf that drops everything drops ARP too, and a
connect fails fast with "no route to host"); the guests' kernel has them. A clsact qdisc on the
guest's NIC holds one matchall filter per direction and protocol that drops every IPv4 and IPv6
packet; ARP passes, the link and its carrier stay up.
"""

import re

PROTOCOLS = ('ip', 'ipv6')
CLSACT = re.compile(r'^qdisc clsact \S+ dev (\S+) ', re.M)


def drop_command(nic):
    """Guest shell command: drop every IP packet in and out of NIC; on failure nothing stays."""
    filters = ' && '.join(
        'tc filter add dev %s %s protocol %s pref %d matchall action drop' % (nic, direction, protocol, pref)
        for direction in ('ingress', 'egress') for pref, protocol in enumerate(PROTOCOLS, 1))
    return 'tc qdisc del dev {0} clsact 2>/dev/null; tc qdisc add dev {0} clsact && {1} || {{ tc qdisc del dev {0} clsact; exit 1; }}'.format(
        nic, filters)


def undrop_command(nic):
    """Guest shell command: NIC passes IP again (nothing to do when it was not dropped)."""
    return 'tc qdisc del dev %s clsact 2>/dev/null || true' % nic


def dropped(qdisc_show):
    """The NICs that `tc qdisc show` (run in a guest) lists with the drop's clsact qdisc."""
    return set(CLSACT.findall(qdisc_show))
