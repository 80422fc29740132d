# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Entry point: serve https://127.0.0.1:PORT/ovirt-engine/api until SIGTERM."""

import argparse
import os
import signal
import sys
import threading


def main(argv=None):
    parser = argparse.ArgumentParser(prog='engine_sim', description='oVirt engine simulator (HTTPS on 127.0.0.1)')
    parser.add_argument('--port', type=int, required=True, help='TCP port; 0 picks a free one (see the ready line)')
    parser.add_argument('--seed', help='seed file (YAML or JSON); default: seed/default.yml')
    parser.add_argument('--state-dir', required=True, help='directory for ca.pem and the server key')
    parser.add_argument('--persist', action='store_true',
                        help='keep the entities and events in STATE_DIR/store.json across a stop and start '
                             '(loaded instead of the seed when present), and the same CA and certificate')
    parser.add_argument('--host-transition-seconds', type=float, default=1.0,
                        help='seconds from a host action to the status monitoring gives it (default 1)')
    args = parser.parse_args(argv)

    # Run as `python3 tests/engine_sim`: make the package importable by its name.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    # pylint: disable-next=import-outside-toplevel
    from engine_sim import auth, faults, monitor, seed, server, store as stores, tls

    saved = os.path.join(args.state_dir, 'store.json')
    try:
        if args.persist and os.path.exists(saved):
            store = stores.Store.load(saved)
        else:
            store = seed.load(args.seed)
    except (OSError, ValueError, KeyError, seed.SeedError) as error:
        sys.stderr.write('engine_sim: cannot load seed: %s\n' % error)
        return 2
    context = tls.make_context(args.state_dir, reuse=args.persist)
    host_monitor = monitor.HostMonitor(store, args.host_transition_seconds)
    sim = server.Simulator(store, faults.Faults(), auth.Tokens(), host_monitor)
    host_monitor.resume()
    try:
        httpd = server.Server(('127.0.0.1', args.port), sim, context)
    except OSError as error:
        sys.stderr.write('engine_sim: cannot listen on 127.0.0.1:%d: %s\n' % (args.port, error))
        return 2
    stop = sim.stop_requested
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    signal.signal(signal.SIGINT, lambda _signum, _frame: stop.set())
    serving = threading.Thread(target=httpd.serve_forever, kwargs={'poll_interval': 0.1}, daemon=True)
    serving.start()
    port = httpd.server_address[1]
    sys.stdout.write('engine_sim ready https://127.0.0.1:%d/ovirt-engine/api port=%d pid=%d\n'
                     % (port, port, os.getpid()))
    sys.stdout.flush()
    while not stop.wait(1):
        pass
    sim.stopping.set()
    httpd.shutdown()
    httpd.server_close()
    host_monitor.stop()
    if args.persist:
        store.save(saved)
    return 0


if __name__ == '__main__':
    sys.exit(main())
