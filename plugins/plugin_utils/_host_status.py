# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine's host status decides what datacenter_paths does on a host (pure), in this one place.

Statuses are the REST API's HostStatus words (ovirt-engine-api-model types/HostStatus.java; the
engine maps its VDSStatus to them in restapi/types/HostMapper.java), as iscsi_bond_info's
host plan carries them.

Which statuses the engine connects storage in, read in oVirt/ovirt-engine (0111fc63), bll/ =
backend/manager/modules/bll/src/main/java/org/ovirt/engine/core/bll/:
- ``up`` only. The engine connects a host's storage servers on activation, and only once its
  status is Up: vdsbroker/monitoring/HostMonitoring.postProcessRefresh fires
  VdsEventListener.vdsUpEvent when the status has changed to Up, which runs
  bll/InitVdsOnUpCommand; its initializeStorage runs
  bll/storage/pool/ConnectHostToStoragePoolServersCommand (the bond expansion in
  bll/storage/connection/ISCSIStorageHelper.prepareConnectHostToStoragePoolServers/updateIfaces,
  then VDSM connectStorageServer). A bond added or given members connects only Up hosts
  (bll/storage/connection/iscsibond/BaseIscsiBondCommand.connectAllHostsToStorage:
  vdsDao.getAllForStoragePoolAndStatus(pool, VDSStatus.Up)), as do the storage commands'
  bll/storage/StorageHandlingCommandBase.getAllRunningVdssInPool.
- The statuses on the way to Up connect nothing yet: bll/ActivateVdsCommand leaves the host
  ``unassigned`` (its VDS_ACTIVATE event, code 16, is written then), VdsManager's
  handleVdsRecoveringException holds it ``initializing`` while VDSM recovers, and the monitoring
  brings it Up, then InitVdsOnUp connects and logs VDS_DETECTED (13, "set to Up"). A client that
  reacts to an activation therefore waits for Up.
- ``maintenance``: HostMonitoring.afterRefreshTreatment calls
  VdsEventListener.vdsMovedToMaintenance, whose processStorageOnVdsInactive runs
  DisconnectStoragePool and bll/storage/pool/DisconnectHostFromStoragePoolServersCommand (VDSM
  disconnectStorageServer) after bll/MaintenanceVdsCommand. The host's storage is VDSM's to
  disconnect: this collection leaves it alone unless asked to disconnect what it made itself.
- ``non_operational``: bll/SetNonOperationalVdsCommand disconnects nothing, bond changes skip the
  host (Up only), and bll/AutoRecoveryManager activates it again (through Up, so InitVdsOnUp
  connects it). ``preparing_for_maintenance``, ``non_responsive``, ``connecting``, ``down``,
  ``installing``, ``reboot``, ``error``, ``kdumping`` and the rest: the engine connects nothing
  either. All of them are left as they are and reported with the engine's word.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

UP = 'up'
MAINTENANCE = 'maintenance'
# The HostStatus words the engine connects storage servers in (see above).
CONNECTS_STORAGE = frozenset([UP])

# What the host play does on a host.
CONVERGE = 'converge'      # the engine's sessions, as the host role makes them
DISCONNECT = 'disconnect'  # a host in maintenance, when asked: the role removes what this collection made
LEAVE = 'leave'            # nothing: no host module runs on it

# The report's state of a host its engine status leaves alone (maintenance has its own word).
NOT_CONNECTED = 'not connected'
DISCONNECT_FAILED = 'disconnect failed'


def host_action(status, disconnect_maintenance=False):
    """CONVERGE, DISCONNECT or LEAVE for a host with this engine ``status``.

    ``disconnect_maintenance``: a host in maintenance is disconnected from what this collection
    made on it, instead of left alone. A plan that says no status (made before the plan carried
    it) converges, as before."""
    if status is None or status in CONNECTS_STORAGE:
        return CONVERGE
    if status == MAINTENANCE and disconnect_maintenance:
        return DISCONNECT
    return LEAVE


def left_state(status):
    """The report's state of a host whose engine status connects no storage:
    ``maintenance``, or ``not connected (engine status non_responsive)``."""
    return MAINTENANCE if status == MAINTENANCE else '%s (engine status %s)' % (NOT_CONNECTED, status)


def is_left_state(state):
    """Whether a report state is one the engine's host status gave (fails nothing)."""
    return state == MAINTENANCE or str(state).startswith(NOT_CONNECTED + ' (')


def left_reason(status):
    """Why the host play left the host alone, in a few words (the report's missing column)."""
    if status == MAINTENANCE:
        return ('the engine has the host in maintenance (VDSM disconnected its storage): left alone '
                '(datacenter_paths_disconnect_maintenance: true disconnects what this collection made)')
    return 'the engine connects no storage to a host in status %s: not touched' % status
