# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The route table: (method, path regex relative to /ovirt-engine/api, handler)."""

import re

from engine_sim import xml_io
from engine_sim.answer import Response
from engine_sim.errors import ApiError, not_found
from engine_sim.routes import bonds, datacenters, events, hosts, storage, users


def api_root(request):
    return Response(200, xml_io.api_root_xml(request.user))


_TABLE = [('GET', re.compile('^$'), api_root)] + [
    (method, re.compile('^%s$' % pattern), handler)
    for module in (datacenters, bonds, hosts, storage, users, events)
    for method, pattern, handler in module.ROUTES
]


def dispatch(request):
    path_known = False
    for method, pattern, handler in _TABLE:
        match = pattern.match(request.path)
        if not match:
            continue
        if method == request.method:
            return handler(request, **match.groupdict())
        path_known = True
    if path_known:
        # JAX-RS: the resource exists but not this method (or the simulator does not serve it).
        raise ApiError(405, body=False)
    raise not_found()
