#!/usr/bin/env bash
# Start/stop the fake upstream and the peer gateways, pinned with taskset.
#   peers.sh start|stop upstream|nginx|portkey      peers.sh status
# PIDs go to $PB_STATE/run/NAME.pid; stop kills exactly that PID (never by name).
# Default pinning on a 2-core box: upstream on CPU 0 (with the load generator), gateways on CPU 1.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PB_STATE=${PB_STATE:-/tmp/peerbench}          # scratch dir; peers are npm-installed here
UPSTREAM_PORT=${UPSTREAM_PORT:-9100} NGINX_PORT=${NGINX_PORT:-9180} PORTKEY_PORT=${PORTKEY_PORT:-8787}
UPSTREAM_CPU=${UPSTREAM_CPU:-0} GW_CPU=${GW_CPU:-1}
RUN=$PB_STATE/run
mkdir -p "$RUN"

wait_http() {  # URL PIDFILE: wait until URL answers; give up at once if the process died
  local pid; pid=$(cat "$2")
  for _ in $(seq 150); do curl -s -o /dev/null "$1" && return 0; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  echo "not answering: $1" >&2; return 1
}

start() {
  local name=$1 pidf=$RUN/$1.pid
  [[ -f $pidf ]] && kill -0 "$(cat "$pidf")" 2>/dev/null && { echo "$name already running (pid $(cat "$pidf"))"; return 0; }
  case $name in
  upstream)
    FAKE_PORT=$UPSTREAM_PORT taskset -c "$UPSTREAM_CPU" node "$HERE/fake-upstream.mjs" >"$RUN/upstream.log" 2>&1 &
    echo $! >"$pidf"; wait_http "http://127.0.0.1:$UPSTREAM_PORT/healthz" "$pidf" ;;
  nginx)   # plain reverse proxy: the "physical limit" for one extra HTTP hop
    mkdir -p "$RUN/nginx/tmp"
    sed -e "s#@RUN@#$RUN#g" -e "s#@NGINX_PORT@#$NGINX_PORT#g" -e "s#@UPSTREAM_PORT@#$UPSTREAM_PORT#g" \
      "$HERE/nginx.conf" >"$RUN/nginx/nginx.conf"
    taskset -c "$GW_CPU" nginx -p "$RUN/nginx/" -c "$RUN/nginx/nginx.conf" >"$RUN/nginx.log" 2>&1 &
    echo $! >"$pidf"; wait_http "http://127.0.0.1:$NGINX_PORT/healthz" "$pidf" ;;
  portkey)  # installed by bench/gateway/procs.mjs (ensurePortkey); localhost-only.cjs keeps it off 0.0.0.0
    local js=$PB_STATE/node_modules/@portkey-ai/gateway/build/start-server.js
    [[ -f $js ]] || { echo "missing $js: npm install --prefix $PB_STATE @portkey-ai/gateway" >&2; return 1; }
    taskset -c "$GW_CPU" node --require "$HERE/localhost-only.cjs" "$js" --port="$PORTKEY_PORT" --headless >"$RUN/portkey.log" 2>&1 &
    echo $! >"$pidf"; wait_http "http://127.0.0.1:$PORTKEY_PORT/" "$pidf" ;;
  *) echo "unknown peer: $name" >&2; return 2 ;;
  esac
  echo "$name started: pid $(cat "$pidf")"
}

stop() {
  local pidf=$RUN/$1.pid pid
  [[ -f $pidf ]] || { echo "$1 not running"; return 0; }
  pid=$(cat "$pidf"); rm -f "$pidf"
  kill "$pid" 2>/dev/null || { echo "$1 (pid $pid) already gone"; return 0; }
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || { echo "$1 stopped (pid $pid)"; return 0; }; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true; echo "$1 killed (pid $pid)"
}

case ${1:-} in
  start|stop) for p in "${@:2}"; do "$1" "$p"; done ;;
  status) for f in "$RUN"/*.pid; do [[ -f $f ]] && echo "$(basename "$f" .pid) pid $(cat "$f") $(kill -0 "$(cat "$f")" 2>/dev/null && echo up || echo gone)"; done; true ;;
  *) echo "usage: $0 start|stop upstream|nginx|portkey ... | status" >&2; exit 2 ;;
esac
