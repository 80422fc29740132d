# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    """The engine connection option, compatible with ovirt.ovirt's C(auth)."""

    DOCUMENTATION = r'''
options:
  auth:
    description:
      - How to reach and log in to the oVirt engine; the same keys as the C(auth) option of the C(ovirt.ovirt) modules.
      - Set it once for every engine module of this collection with
        C(module_defaults) and C(group/ovirt_iscsi.multipath.multipath).
      - A session the module opens is closed at the end; the token is revoked
        only when the module obtained it itself (a C(token) you pass stays valid).
    type: dict
    suboptions:
      url:
        description:
          - The API URL, for example V(https://engine.example.com/ovirt-engine/api).
          - Defaults to the E(OVIRT_URL) environment variable.
          - Either O(auth.url) or O(auth.hostname) is required.
        type: str
      hostname:
        description:
          - The engine host name; the URL becomes C(https://HOSTNAME/ovirt-engine/api).
          - Defaults to the E(OVIRT_HOSTNAME) environment variable.
        type: str
      username:
        description:
          - The user, for example V(admin@internal).
          - Defaults to the E(OVIRT_USERNAME) environment variable.
        type: str
      password:
        description:
          - The user's password. Never logged.
          - Defaults to the E(OVIRT_PASSWORD) environment variable.
        type: str
      token:
        description:
          - An SSO token to use instead of logging in. Never logged, never revoked by the module.
          - When O(auth.username) and O(auth.password) are given too, an expired
            token is replaced transparently; otherwise the module fails with a clear message.
          - Defaults to the E(OVIRT_TOKEN) environment variable.
        type: str
      ca_file:
        description:
          - A PEM file with the CA certificates that sign the engine's certificate.
          - Without it the system's trust store is used.
          - Defaults to the E(OVIRT_CAFILE) environment variable.
        type: path
      insecure:
        description:
          - Skip the verification of the engine's TLS certificate and host name.
          - The certificate is verified unless this is set.
        type: bool
        default: false
      kerberos:
        description:
          - Log in with Kerberos instead of a user name and password.
        type: bool
        default: false
      headers:
        description:
          - HTTP headers added to every request.
        type: dict
      timeout:
        description:
          - Seconds to wait for each answer of the engine; V(0) or unset waits without limit.
          - Unlike C(ovirt.ovirt), the value is passed to the SDK, so a hung engine fails the task.
            It bounds the SSO token request and the logout too, on which the SDK itself sets no limit.
        type: int
      compress:
        description:
          - Accept compressed answers.
        type: bool
        default: true
requirements:
  - ovirt-engine-sdk-python >= 4.4.0
'''
