#!/usr/bin/env bash
# The three-process demo: start a worker and a conversation server in the
# background on free ports, ask the seed's question and a follow-up through
# the client, and stop both servers on exit (Ctrl-C included).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${TRELLIS_BIN:-target/debug/trellis}
logs=$(mktemp -d)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts `trellis ARGS...` in the background and prints its URL once it has
# said `listening on http://ADDR`.
start() {
  local name=$1; shift
  "$bin" "$@" >"$logs/$name.out" 2>"$logs/$name.err" &
  pids+=($!)
  for _ in $(seq 1 600); do
    if url=$(grep -m1 -o 'http://[0-9.:]*' "$logs/$name.out" 2>/dev/null); then
      echo "$url"; return 0
    fi
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "the $name did not start; its log:" >&2
  cat "$logs/$name.err" >&2
  return 1
}

# Each process needs the other's address: reserve a free port for the worker,
# start the server pointing at it, then the worker exporting its spans to the
# server's collector.
worker_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server=$(start server server --listen 127.0.0.1:0 --worker "http://127.0.0.1:$worker_port" --store "$logs/traces.db")
worker=$(start worker worker --listen "127.0.0.1:$worker_port" --collector "$server/v1/traces")
echo "server  $server  (trace store $logs/traces.db)"
echo "worker  $worker  (plugins/dist)"
echo

"$bin" ask --server "$server" \
  "I have a 45-year-old female patient, 5'4\" tall, 180 lbs, presenting with fatigue and increased thirst. What conditions should I evaluate for, and what are the treatment options?" \
  "What dose of metformin should she start on, and what should be monitored?" \
  | tee "$logs/ask.out"

# Show the conversation's trace while the server is still up. The worker and
# server export in batches, so give the last spans a moment to land.
trace=$(grep -o 'conversation trace [0-9a-f]\{32\}' "$logs/ask.out" | awk '{print $3}' | tail -1)
if [ -n "$trace" ]; then
  sleep 1
  echo
  echo "── trace $trace"
  "$bin" traces show "$trace" --server "$server"
fi
