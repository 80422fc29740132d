# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`follow=` as the engine's LinkFollower does it, over the store's entity graph.

Each segment first matches a link rel of the entity (segment lower-cased,
`_` removed); the followed list is then set on the attribute whose name
matches the segment case-insensitively (the engine's reflective setter).
Otherwise the segment names an attribute holding one referenced entity
(with an href), which is fetched and inlined. Anything else fails the
whole request, as the engine's IllegalStateException does (500).
"""

from engine_sim import render as builders
from engine_sim.errors import ApiError
from engine_sim.xml_io import LINK_RELS

TAGS = {
    'data_centers': 'data_center', 'clusters': 'cluster', 'networks': 'network', 'hosts': 'host',
    'host_nics': 'host_nic', 'network_attachments': 'network_attachment',
    'storage_connections': 'storage_connection', 'storage_domains': 'storage_domain',
    'iscsi_bonds': 'iscsi_bond', 'users': 'user', 'roles': 'role', 'permits': 'permit',
    'permissions': 'permission', 'events': 'event',
}


def _permits(store, role):
    return [({'id': permit_id, 'name': builders.PERMIT_NAMES[permit_id]}, ('role', role['id']))
            for permit_id in role['permits']]


# kind -> rel -> (child kind, records with their render context)
SUBCOLLECTIONS = {
    'data_centers': {
        'clusters': ('clusters', lambda s, r: [(c, None) for c in s.where('clusters', data_center=r['id'])]),
        'iscsibonds': ('iscsi_bonds', lambda s, r: [(b, None) for b in s.where('iscsi_bonds', data_center=r['id'])]),
        'networks': ('networks', lambda s, r: [(n, ('datacenter', r['id']))
                                               for n in s.where('networks', data_center=r['id'])]),
        'storagedomains': ('storage_domains', lambda s, r: [(d, ('datacenter', r['id']))
                                                            for d in s.domains_of_dc(r['id'])]),
        'permissions': ('permissions', lambda s, r: [(p, ('datacenter', r['id']))
                                                     for p in s.where('permissions', data_center=r['id'])]),
    },
    'clusters': {
        'networks': ('networks', lambda s, r: [(s.get('networks', cn['network']), ('cluster', r['id']))
                                               for cn in s.where('cluster_networks', cluster=r['id'])]),
    },
    'hosts': {
        'nics': ('host_nics', lambda s, r: [(n, None) for n in s.where('host_nics', host=r['id'])]),
        'networkattachments': ('network_attachments',
                               lambda s, r: [(a, None) for a in s.where('network_attachments', host=r['id'])]),
    },
    'host_nics': {
        'networkattachments': ('network_attachments',
                               lambda s, r: [(a, None) for a in s.where('network_attachments', host_nic=r['id'])]),
    },
    'storage_domains': {
        'storageconnections': ('storage_connections', lambda s, r: [(s.get('storage_connections', c), None)
                                                                    for c in r['connections']]),
    },
    'iscsi_bonds': {
        'networks': ('networks', lambda s, r: [(s.get('networks', n), None) for n in r['networks']]),
        'storageserverconnections': ('storage_connections',
                                     lambda s, r: [(s.get('storage_connections', c), None) for c in r['connections']]),
    },
    'users': {
        'permissions': ('permissions', lambda s, r: [(p, None) for p in s.where('permissions', user=r['id'])]),
    },
    'roles': {'permits': ('permits', _permits)},
}

# kind -> attribute -> (child kind, record field holding the referenced id)
REFERENCES = {
    'clusters': {'data_center': ('data_centers', 'data_center')},
    'networks': {'data_center': ('data_centers', 'data_center')},
    'hosts': {'cluster': ('clusters', 'cluster')},
    'host_nics': {'host': ('hosts', 'host'), 'network': ('networks', 'network')},
    'network_attachments': {'host': ('hosts', 'host'), 'network': ('networks', 'network'),
                            'host_nic': ('host_nics', 'host_nic')},
    'iscsi_bonds': {'data_center': ('data_centers', 'data_center')},
    'permissions': {'role': ('roles', 'role'), 'user': ('users', 'user'), 'data_center': ('data_centers', 'data_center')},
    'events': {'host': ('hosts', 'host'), 'cluster': ('clusters', 'cluster'), 'user': ('users', 'user'),
               'data_center': ('data_centers', 'data_center')},
}


def _normal(name):
    return name.lower().replace('_', '')


def parse(follow):
    """`a.b,c` -> {'a': {'b': {}}, 'c': {}}; an empty value is ignored."""
    tree = {}
    for link in (follow or '').split(','):
        if not link.strip():
            continue
        node = tree
        for segment in link.strip().split('.'):
            node = node.setdefault(segment, {})
    return tree


def _failure(segment, kind):
    entity = ''.join(part.capitalize() for part in TAGS[kind].split('_'))
    return ApiError(500, ["Problem fetching '%s' from %s" % (segment, entity)],
                    reason='Internal Server Error', content_type='text/plain')


def _attribute_for(obj, segment):
    wanted = _normal(segment)
    for name in vars(obj):
        if _normal(name.lstrip('_')) == wanted:
            return name.lstrip('_')
    return None


def render(store, kind, record, context=None, tree=None):
    """Build the types object of `record`, with the `tree` of follow segments inlined."""
    obj = builders.build(store, kind, record, context)
    for segment, subtree in (tree or {}).items():
        _follow(store, kind, record, obj, segment, subtree)
    return obj


def render_many(store, kind, pairs, tree=None):
    return [render(store, kind, record, context, tree) for record, context in pairs]


def _follow(store, kind, record, obj, segment, subtree):
    rel = _normal(segment)
    if rel in LINK_RELS.get(TAGS[kind], ()):
        attribute = _attribute_for(obj, segment)
        if attribute is None:
            raise _failure(segment, kind)
        child_kind, children = SUBCOLLECTIONS.get(kind, {}).get(rel, (None, None))
        pairs = children(store, record) if children else []
        setattr(obj, attribute, builders.as_list(render_many(store, child_kind, [p for p in pairs if p[0]], subtree)))
        return
    # The engine's getter lookup ignores case, so `datacenter` finds getDataCenter too.
    attribute = next((name for name in REFERENCES.get(kind, {}) if _normal(name) == rel), None)
    if attribute is None:
        raise _failure(segment, kind)
    child_kind, field = REFERENCES[kind][attribute]
    child = store.get(child_kind, record.get(field))
    if child is None:
        raise _failure(segment, kind)
    setattr(obj, attribute, render(store, child_kind, child, None, subtree))
