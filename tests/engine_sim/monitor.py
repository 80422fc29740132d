# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine's host monitoring, reduced to what follows a host action.

Deactivate leaves a host `preparing_for_maintenance` until HostMonitoring sees no VM left
and moves it to `maintenance` (VdsEventListener.vdsMovedToMaintenance then disconnects its
storage; no audit entry). Activate leaves it `unassigned` (ActivateVdsCommand) until
monitoring brings it `up`, when InitVdsOnUpCommand logs VDS_DETECTED "Status of host X was
set to Up.". Here each of these second steps happens `delay` seconds after the action.

A pending step lives in the host record (`pending`), so a simulator restarted with its
saved state finishes it.
"""

import threading

from engine_sim import audit

# The HostStatus of the model -> VDSStatus's name, as `${HostStatus}` prints it.
VDS_STATUS_NAMES = {
    'up': 'Up', 'maintenance': 'Maintenance', 'non_operational': 'NonOperational',
    'non_responsive': 'NonResponsive', 'unassigned': 'Unassigned', 'down': 'Down',
    'preparing_for_maintenance': 'PreparingForMaintenance', 'initializing': 'Initializing',
    'connecting': 'Connecting', 'error': 'Error', 'installing': 'Installing',
    'install_failed': 'InstallFailed', 'reboot': 'Reboot', 'pending_approval': 'PendingApproval',
    'installing_os': 'InstallingOS', 'kdumping': 'Kdumping',
}


class HostMonitor:
    """Runs each host's pending status step after `delay` seconds (threads, under the store lock)."""

    def __init__(self, store, delay=1.0):
        self.store = store
        self.delay = delay
        self._timers = {}
        self._lock = threading.Lock()

    def schedule(self, host, to_status, log_status=False):
        """`host` (a record, its status already set) moves to `to_status` after the delay;
        with `log_status`, VDS_DETECTED is written then."""
        host['pending'] = {'from': host['status'], 'to': to_status, 'log': log_status}
        self._start(host['id'])

    def resume(self):
        """Start the steps a saved store left pending."""
        for host in self.store.all('hosts'):
            if host.get('pending'):
                self._start(host['id'])

    def stop(self):
        with self._lock:
            for timer in self._timers.values():
                timer.cancel()
            self._timers.clear()

    def _start(self, host_id):
        timer = threading.Timer(self.delay, self._step, args=(host_id,))
        timer.daemon = True
        with self._lock:
            previous = self._timers.pop(host_id, None)
            if previous:
                previous.cancel()
            self._timers[host_id] = timer
        timer.start()

    def _step(self, host_id):
        with self.store.lock:
            host = self.store.get('hosts', host_id)
            pending = host.get('pending') if host else None
            # Another action changed the status meanwhile: that one decides.
            if not pending or host['status'] != pending['from']:
                return
            host['status'] = pending['to']
            host['pending'] = None
            if pending['log']:
                audit.write(self.store, 'VDS_DETECTED', host=host, HostStatus=VDS_STATUS_NAMES[pending['to']])
            self.store.touch()
        with self._lock:
            if self._timers.get(host_id) is threading.current_thread():
                del self._timers[host_id]
