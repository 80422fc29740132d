# Sourced helpers to run the engine simulator from shell scripts (demo, integration, e2e).
#   sim_start STATE_DIR [SEED]   starts it on a free loopback port; sets SIM_PID, SIM_URL, SIM_CA
#   sim_stop                     SIGTERM and wait
sim_start() {
  local state_dir=$1 seed=${2:-} log line
  mkdir -p "$state_dir"
  log="$state_dir/sim.log"
  python "$top/tests/engine_sim" --port 0 --state-dir "$state_dir" ${seed:+--seed "$seed"} >"$log" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 1 150); do
    line=$(grep -m1 ready "$log" 2>/dev/null) && break
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

sim_stop() {
  if [ -n "${SIM_PID:-}" ] && kill -0 "$SIM_PID" 2>/dev/null; then
    kill -TERM "$SIM_PID"
    wait "$SIM_PID" 2>/dev/null || true
  fi
  SIM_PID=
}
