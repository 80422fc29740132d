# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Users, roles with their permits, and a user's permissions (read-only)."""

from engine_sim import render
from engine_sim.errors import not_found
from engine_sim.routes.common import lookup, render_list, render_one


def list_users(request):
    pairs = [(user, None) for user in request.store.all('users')]
    return render_list(request, 'users', pairs, 'users', searchable=True)


def get_user(request, user):
    return render_one(request, 'users', lookup(request, 'users', user))


def list_user_permissions(request, user):
    lookup(request, 'users', user)
    pairs = [(permission, None) for permission in request.store.where('permissions', user=user)]
    return render_list(request, 'permissions', pairs, 'permissions')


def list_roles(request):
    return render_list(request, 'roles', [(role, None) for role in request.store.all('roles')], 'roles')


def get_role(request, role):
    return render_one(request, 'roles', lookup(request, 'roles', role))


def list_permits(request, role):
    record = lookup(request, 'roles', role)
    pairs = [({'id': permit_id, 'name': render.PERMIT_NAMES[permit_id]}, ('role', role))
             for permit_id in record['permits']]
    return render_list(request, 'permits', pairs, 'permits')


def get_permit(request, role, permit):
    record = lookup(request, 'roles', role)
    if not permit.isdigit() or int(permit) not in record['permits']:
        raise not_found()
    return render_one(request, 'permits', {'id': int(permit), 'name': render.PERMIT_NAMES[int(permit)]},
                      ('role', role))


ROUTES = [
    ('GET', r'users', list_users),
    ('GET', r'users/(?P<user>[^/]+)', get_user),
    ('GET', r'users/(?P<user>[^/]+)/permissions', list_user_permissions),
    ('GET', r'roles', list_roles),
    ('GET', r'roles/(?P<role>[^/]+)', get_role),
    ('GET', r'roles/(?P<role>[^/]+)/permits', list_permits),
    ('GET', r'roles/(?P<role>[^/]+)/permits/(?P<permit>[^/]+)', get_permit),
]
