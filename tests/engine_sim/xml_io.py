# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""XML in and out through the SDK's own readers and writers.

The SDK writers emit entities, ids and hrefs but no `<link rel=...>`
elements; the engine adds one per sub-collection (LinkHelper), with the
entity's href plus `/rel`. They are added here to every full entity (an
element with children), never to a bare reference.
"""

import re
import xml.etree.ElementTree as ET

from ovirtsdk4 import reader, types, writer

from engine_sim.errors import ApiError
from engine_sim.render import make

# Sub-collection rels per element tag, as the engine's model declares them.
LINK_RELS = {
    'data_center': ('clusters', 'iscsibonds', 'networks', 'permissions', 'qoss', 'quotas', 'storagedomains'),
    'cluster': ('affinitygroups', 'cpuprofiles', 'enabledfeatures', 'externalnetworkproviders', 'glusterhooks',
                'glustervolumes', 'networkfilters', 'networks', 'permissions'),
    'network': ('networklabels', 'permissions', 'vnicprofiles'),
    'host': ('affinitylabels', 'devices', 'externalnetworkproviderconfigurations', 'fenceagents', 'hooks',
             'katelloerrata', 'networkattachments', 'nics', 'numanodes', 'permissions', 'statistics', 'storage',
             'storageconnectionextensions', 'tags', 'unmanagednetworks'),
    'host_nic': ('linklayerdiscoveryprotocolelements', 'networkattachments', 'networklabels', 'statistics',
                 'virtualfunctionallowedlabels', 'virtualfunctionallowednetworks'),
    'storage_domain': ('diskprofiles', 'disks', 'disksnapshots', 'files', 'images', 'permissions',
                       'storageconnections', 'templates', 'vms'),
    'iscsi_bond': ('networks', 'storageserverconnections'),
    'user': ('eventsubscriptions', 'groups', 'permissions', 'roles', 'sshpublickeys', 'tags'),
    'role': ('permits',),
}

# Links on the API root (a subset of SystemService's services).
ROOT_RELS = ('clusters', 'datacenters', 'events', 'hosts', 'networks', 'roles', 'storageconnections',
             'storagedomains', 'users', 'permissions')

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


_ENTITY_START = re.compile(
    r'<(%s) href="([^"]*)"[^>]*(?<!/)>' % '|'.join(sorted(LINK_RELS, key=len, reverse=True)))


def _with_links(match):
    rels = LINK_RELS[match.group(1)]
    base = match.group(2)
    return match.group(0) + ''.join('<link href="%s/%s" rel="%s"/>' % (base, rel, rel) for rel in rels)


def to_xml(obj, root=None, links=True):
    """Write a types object (or a list of them under `root`) as the engine would.

    The SDK writer puts `href` first on a start tag; a full entity has an
    open start tag, a reference is an empty element (`.../>`), so a regex
    over the writer's output finds exactly the entities that get links.
    `links=False` for entities whose inline references carry more than an id
    (an event's host has its name) and so would look like full entities.
    """
    text = writer.Writer.write(obj, root=root)
    return XML_DECLARATION + (_ENTITY_START.sub(_with_links, text) if links else text)


def api_root_xml(user_record):
    api = types.Api(
        product_info=types.ProductInfo(
            name='oVirt Engine (simulator)', vendor='ovirt.org',
            version=types.Version(major=4, minor=5, build=7, revision=0, full_version='4.5.7-sim'),
        ),
        authenticated_user=make(types.User, id=user_record['id'], href='/ovirt-engine/api/users/%s' % user_record['id']),
        effective_user=make(types.User, id=user_record['id'], href='/ovirt-engine/api/users/%s' % user_record['id']),
    )
    tree = ET.fromstring(writer.Writer.write(api))
    for position, rel in enumerate(ROOT_RELS):
        tree.insert(position, ET.Element('link', {'href': '/ovirt-engine/api/%s' % rel, 'rel': rel}))
    return XML_DECLARATION + ET.tostring(tree, encoding='unicode')


def fault_xml(reason, detail):
    return XML_DECLARATION + writer.Writer.write(types.Fault(reason=reason, detail=detail))


def action_xml(status='complete'):
    return XML_DECLARATION + writer.Writer.write(types.Action(status=status))


def read_body(body, expected):
    """Parse a request body with the SDK readers; `expected` is the types class."""
    if not body:
        raise ApiError(400, ['Request body is missing'], reason='Bad Request')
    try:
        obj = reader.Reader.read(body)
    except Exception as error:  # the SDK's C parser raises several kinds
        raise ApiError(400, ['Failed to parse the request body: %s' % error], reason='Bad Request') from error
    if not isinstance(obj, expected):
        raise ApiError(400, ['Expected a %s element' % expected.__name__], reason='Bad Request')
    return obj
