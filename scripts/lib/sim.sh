# Sourced helpers to run the engine simulator from shell scripts (demo, integration, e2e).
#   sim_start STATE_DIR [SEED]   starts it on a free loopback port; sets SIM_PID, SIM_URL, SIM_CA
#                                (SIM_PERSIST=1: with --persist, so that sim_restart keeps its state)
#   sim_stop                     SIGTERM and wait (with SIM_PERSIST=1 the state is saved)
#   sim_restart [DOWN_SECONDS]   sim_stop, DOWN_SECONDS without an engine, then the same state dir,
#                                port and CA again ("the engine down for a minute"; SIM_PERSIST=1)
#   SIM_HOST_TRANSITION=S        seconds from a host action to its next status (default 1)
sim_start() {
  local state_dir=$1 seed=${2:-} log line skip
  mkdir -p "$state_dir"
  SIM_STATE_DIR=$state_dir
  log="$state_dir/sim.log"
  # A restart appends to the log: its ready line is the first after what is there now.
  skip=$(cat "$log" 2>/dev/null | wc -l)
  python "$top/tests/engine_sim" --port "${SIM_PORT_WANTED:-0}" --state-dir "$state_dir" ${seed:+--seed "$seed"} \
    ${SIM_PERSIST:+--persist} ${SIM_HOST_TRANSITION:+--host-transition-seconds "$SIM_HOST_TRANSITION"} \
    >>"$log" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 1 150); do
    line=$(tail -n +"$((skip + 1))" "$log" 2>/dev/null | grep -m1 ready) && break
    kill -0 "$SIM_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "${line:-}" ]; then
    echo "engine simulator did not start:" >&2; cat "$log" >&2; return 1
  fi
  SIM_PORT=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$line")
  SIM_URL="https://127.0.0.1:$SIM_PORT/ovirt-engine/api"
  SIM_CA="$state_dir/ca.pem"
}

sim_restart() {
  local down=${1:-0}
  sim_stop
  sleep "$down"
  SIM_PORT_WANTED=$SIM_PORT sim_start "$SIM_STATE_DIR"
}

sim_stop() {
  if [ -n "${SIM_PID:-}" ] && kill -0 "$SIM_PID" 2>/dev/null; then
    kill -TERM "$SIM_PID"
    wait "$SIM_PID" 2>/dev/null || true
  fi
  SIM_PID=
}
