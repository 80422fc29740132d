# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers the resource handlers share: answers, lookups, list parameters, permissions."""

from engine_sim import auth, follow, search, xml_io
from engine_sim.errors import ApiError, not_authorized, not_found
from engine_sim.answer import Response


def ok(text, status=200, headers=None):
    return Response(status, text, headers=headers)


def action_complete():
    """What BackendResource.performAction answers: 200 and a completed action."""
    return ok(xml_io.action_xml('complete'))


def lookup(request, table, record_id):
    """The record, or 404 with an empty body (unknown or malformed id)."""
    record = request.store.get(table, record_id)
    if record is None:
        raise not_found()
    return record


def follow_tree(request):
    return follow.parse(request.param('follow'))


def max_results(request):
    text = request.param('max')
    if text in (None, ''):
        return None
    try:
        value = int(text)
    except ValueError as error:
        raise ApiError(400, ["Value '%s' of parameter 'max' isn't a valid integer" % text]) from error
    return value if value >= 0 else None


def render_list(request, kind, pairs, root, searchable=False):
    """A collection answer with search (where the engine has it), max and follow."""
    if searchable:
        case_sensitive = (request.param('case_sensitive') or 'true').lower() != 'false'
        records = search.apply(request.store, kind, [record for record, _ctx in pairs], request.param('search'),
                               case_sensitive)
        keep = {record['id'] for record in records}
        pairs = [pair for pair in pairs if pair[0]['id'] in keep]
    limit = max_results(request)
    if limit is not None:
        pairs = pairs[:limit]
    objs = follow.render_many(request.store, kind, pairs, follow_tree(request))
    return ok(xml_io.to_xml(objs, root=root))


def render_one(request, kind, record, context=None):
    return ok(xml_io.to_xml(follow.render(request.store, kind, record, context, follow_tree(request))))


def require(request, action_group, dc_id):
    """The permission check CommandBase runs first: the group on the DC or system-wide, else 403."""
    if not auth.has_action_group(request.store, request.user['id'], action_group, dc_id):
        raise not_authorized()


def validate_parameters(obj, entity, *names):
    """The REST layer's check for required fields, before the backend runs anything."""
    missing = [name for name in names if getattr(obj, name, None) in (None, '')]
    if missing:
        raise ApiError(400, raw_detail='%s [%s] required for add' % (entity, ', '.join(missing)),
                       reason='Incomplete parameters')
