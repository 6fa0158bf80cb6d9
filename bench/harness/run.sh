#!/usr/bin/env bash
# Gateway overhead benchmark.   run.sh TARGET
#   TARGET: direct | nginx | portkey | aibridge | a base URL such as http://127.0.0.1:3000
# For each scenario: one correctness check (curl: HTTP 200 + a marker in the body), a warmup,
# then wrk for DURATION s at each concurrency in CONNS. Prints a table, appends TSV to $RESULTS.
# PROBE=1 runs probe.mjs (sequential streaming TTFB) instead of the load test.
# See README.md for every knob; the important ones:
#   OPENAI_PREFIX / ANTHROPIC_PREFIX  path before /chat/completions, /responses and /messages (default /v1)
#   AUTH_HEADER        header added to every request, e.g. "Authorization: Bearer $TOKEN"
#   OPENAI_HEADERS / ANTHROPIC_HEADERS  more headers, one "Name: value" per line
#   HEADER=0|only      no header lines / only the header (all.sh prints one table)
#   GW_PID             gateway PID(s) (child processes included) for CPU and RSS sampling;
#                      nginx/portkey take theirs from peers.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PB_STATE=${PB_STATE:-/tmp/peerbench}
UPSTREAM_PORT=${UPSTREAM_PORT:-9100} NGINX_PORT=${NGINX_PORT:-9180} PORTKEY_PORT=${PORTKEY_PORT:-8787}
UPSTREAM=${UPSTREAM:-http://127.0.0.1:$UPSTREAM_PORT}
SCENARIOS=${SCENARIOS:-chat chat-stream messages-stream}   # also: messages responses responses-stream
CONNS=${CONNS:-1 16 64}
DURATION=${DURATION:-10} WARMUP=${WARMUP:-3}
LOAD_CPU=${LOAD_CPU-0}          # CPU for wrk/curl/this script; empty = no pinning
BODY_PAD_KB=${BODY_PAD_KB:-0}   # pad the user message to make large (agent-like) request bodies
RESULTS=${RESULTS:-$PB_STATE/results/results.tsv}
AUTH_HEADER=${AUTH_HEADER:-} OPENAI_HEADERS=${OPENAI_HEADERS:-} ANTHROPIC_HEADERS=${ANTHROPIC_HEADERS:-}
NL=$'\n'

target=${1:?usage: run.sh direct|nginx|portkey|aibridge|BASE_URL}
peer_pid() { cat "$PB_STATE/run/$1.pid" 2>/dev/null || true; }
case $target in
  direct)   BASE=$UPSTREAM GW_PID= ;;
  nginx)    BASE=http://127.0.0.1:$NGINX_PORT; GW_PID=$(peer_pid nginx) ;;
  portkey)  BASE=http://127.0.0.1:$PORTKEY_PORT; GW_PID=$(peer_pid portkey)
            # Portkey: provider + custom upstream base URL per request, via headers
            OPENAI_HEADERS+="${NL}x-portkey-provider: openai${NL}x-portkey-custom-host: $UPSTREAM/v1${NL}Authorization: Bearer sk-fake"
            ANTHROPIC_HEADERS+="${NL}x-portkey-provider: anthropic${NL}x-portkey-custom-host: $UPSTREAM/v1${NL}x-api-key: sk-ant-fake${NL}anthropic-version: 2023-06-01" ;;
  aibridge) BASE=${AIBRIDGE_URL:-http://127.0.0.1:3000} AUTH_HEADER=${AIBRIDGE_AUTH:-$AUTH_HEADER}
            : "${OPENAI_PREFIX:=/api/v2/aibridge/openai/v1}" "${ANTHROPIC_PREFIX:=/api/v2/aibridge/anthropic/v1}" ;;
  http://*|https://*) BASE=${target%/} ;;
  *) echo "unknown target: $target" >&2; exit 2 ;;
esac
OPENAI_PREFIX=${OPENAI_PREFIX:-/v1} ANTHROPIC_PREFIX=${ANTHROPIC_PREFIX:-/v1}
LABEL=${LABEL:-$target} GW_PID=${GW_PID:-} UP_PID=${UP_PID:-$(peer_pid upstream)}
[[ -n $LOAD_CPU ]] && taskset -cp "$LOAD_CPU" $$ >/dev/null   # wrk, curl and probe inherit this
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }

# ---- request bodies ---------------------------------------------------------------------------
BODIES=$PB_STATE/bodies; mkdir -p "$BODIES" "$(dirname "$RESULTS")"
MSG="Say hello in one short sentence."
((BODY_PAD_KB > 0)) && MSG+=" $(head -c $((BODY_PAD_KB * 1024)) /dev/zero | tr '\0' 'a')"
SYS='You are a helpful assistant.'
scenario() {  # sets: API PATH_ MARKER COUNTER BODY_FILE
  local s=$1 chat='"messages":[{"role":"system","content":"'$SYS'"},{"role":"user","content":"'$MSG'"}]'
  local anth='"system":"'$SYS'","messages":[{"role":"user","content":"'$MSG'"}]' body
  case $s in
    chat)             API=openai PATH_=$OPENAI_PREFIX/chat/completions MARKER='"usage"' COUNTER=chat
                      body='{"model":"gpt-4o-mini","max_tokens":64,'$chat'}' ;;
    chat-stream)      API=openai PATH_=$OPENAI_PREFIX/chat/completions MARKER='data: [DONE]' COUNTER=chat
                      body='{"model":"gpt-4o-mini","max_tokens":64,"stream":true,"stream_options":{"include_usage":true},'$chat'}' ;;
    messages)         API=anthropic PATH_=$ANTHROPIC_PREFIX/messages MARKER='"usage"' COUNTER=messages
                      body='{"model":"claude-sonnet-4-20250514","max_tokens":64,'$anth'}' ;;
    messages-stream)  API=anthropic PATH_=$ANTHROPIC_PREFIX/messages MARKER='event: message_stop' COUNTER=messages
                      body='{"model":"claude-sonnet-4-20250514","max_tokens":64,"stream":true,'$anth'}' ;;
    responses)        API=openai PATH_=$OPENAI_PREFIX/responses MARKER='"usage"' COUNTER=responses
                      body='{"model":"gpt-4o-mini","max_output_tokens":64,"instructions":"'$SYS'","input":"'$MSG'"}' ;;
    responses-stream) API=openai PATH_=$OPENAI_PREFIX/responses MARKER='response.completed' COUNTER=responses
                      body='{"model":"gpt-4o-mini","max_output_tokens":64,"stream":true,"instructions":"'$SYS'","input":"'$MSG'"}' ;;
    *) echo "unknown scenario: $s" >&2; return 1 ;;
  esac
  BODY_FILE=$BODIES/$s-pad$BODY_PAD_KB.json; printf '%s' "$body" >"$BODY_FILE"
}

# ---- process sampling (/proc, no forks in the hot loop except ps for the process tree) ----------
TCK=$(getconf CLK_TCK)
tree() { local p; for p in "$@"; do [[ -d /proc/$p ]] || continue; echo "$p"; tree $(ps -o pid= --ppid "$p"); done; }
ticks() { local p t=0 f; for p in "$@"; do read -r -a f <"/proc/$p/stat" 2>/dev/null || continue; t=$((t + f[13] + f[14])); done; echo $t; }
rss_kb() { local p k v u t=0; for p in "$@"; do while read -r k v u; do [[ $k == VmRSS: ]] && t=$((t + v)); done <"/proc/$p/status" 2>/dev/null || true; done; echo $t; }
cpus() { local n a b c d e f g h; while read -r n a b c d e f g h _; do [[ $n == cpu[01] ]] && echo -n "$((a+b+c+f+g+h)) $((a+b+c+d+e+f+g+h)) "; done </proc/stat; echo; }
upstream_count() { curl -s -m 2 "$UPSTREAM/_stats" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
# (the /proc/PID/stat read assumes the process name has no spaces: true for node and nginx)

HDR="ts	label	scenario	conns	rps	p50_ms	p90_ms	p99_ms	max_ms	errors	fwd	gw_cpu_us_req	up_cpu_us_req	cpu0_pct	cpu1_pct	gw_rss_mb_start	gw_rss_mb_peak"
[[ -s $RESULTS ]] || echo "$HDR" >"$RESULTS"
FMT='%-10s %-17s %5s %9s %8s %8s %8s %6s %5s %8s %8s %5s %5s %7s %7s\n'
if [[ ${HEADER:-1} != 0 ]]; then
  echo "# target=$LABEL base=$BASE gw_pid=${GW_PID:--} upstream_pid=${UP_PID:--} load_cpu=${LOAD_CPU:-any} duration=${DURATION}s pad=${BODY_PAD_KB}KB"
  # shellcheck disable=SC2059
  printf "$FMT" target scenario conns rps p50_ms p90_ms p99_ms errors fwd gw_us/rq up_us/rq cpu0 cpu1 rss0_MB rssMax_MB
  [[ ${HEADER:-1} == only ]] && exit 0
fi

measure() {  # conns url headers
  local c=$1 url=$2 hdrs=$3 out gw up r peak=0 rss0 g0 u0 n0 g1 u1 n1 c0 c1
  gw=$(tree $GW_PID | xargs); up=$(tree $UP_PID | xargs)
  rss0=$(rss_kb $gw); n0=$(upstream_count "$COUNTER"); g0=$(ticks $gw); u0=$(ticks $up); c0=$(cpus)
  out=$(mktemp)
  WRK_BODY_FILE=$BODY_FILE WRK_HEADERS=$hdrs wrk -t1 -c"$c" -d"${DURATION}s" --timeout 30s -s "$HERE/post.lua" "$url" >"$out" 2>&1 &
  local wpid=$!
  while kill -0 $wpid 2>/dev/null; do r=$(rss_kb $gw); ((r > peak)) && peak=$r; sleep 0.5; done
  wait $wpid || true
  g1=$(ticks $gw); u1=$(ticks $up); c1=$(cpus); n1=$(upstream_count "$COUNTER")
  local line; line=$(grep '^RESULT' "$out" || true)
  [[ -n $line ]] || { echo "wrk failed:"; cat "$out"; rm -f "$out"; return 1; }
  rm -f "$out"
  local -A R; local kv; for kv in ${line#RESULT }; do R[${kv%%=*}]=${kv#*=}; done
  local req=${R[requests]}; ((req > 0)) || req=1
  local errs=$((R[non2xx] + R[sock_err] + R[timeouts]))
  local row; row=$(awk -v req="$req" -v tck="$TCK" -v n0="${n0:-0}" -v n1="${n1:-0}" -v g0="$g0" -v g1="$g1" -v u0="$u0" -v u1="$u1" \
    -v gw="$gw" -v c0="$c0" -v c1="$c1" -v rss0="$rss0" -v peak="$peak" 'BEGIN {
      split(c0, a, " "); split(c1, b, " ")
      fwd = (n1 == "" || n1 == 0) ? "-" : sprintf("%.2f", (n1 - n0) / req)
      gcpu = gw == "" ? "-" : sprintf("%.0f", (g1 - g0) * 1e6 / tck / req)
      ucpu = sprintf("%.0f", (u1 - u0) * 1e6 / tck / req)
      p0 = (b[2] - a[2]) ? 100 * (b[1] - a[1]) / (b[2] - a[2]) : 0; p1 = (b[4] - a[4]) ? 100 * (b[3] - a[3]) / (b[4] - a[4]) : 0
      r0 = gw == "" ? "-" : sprintf("%.1f", rss0 / 1024); rp = gw == "" ? "-" : sprintf("%.1f", peak / 1024)
      printf "%s\t%s\t%s\t%.0f\t%.0f\t%s\t%s", fwd, gcpu, ucpu, p0, p1, r0, rp }')
  local f; IFS=$'\t' read -r -a f <<<"$row"
  printf "$FMT" "$LABEL" "$SC" "$c" "${R[rps]}" "${R[p50_ms]}" "${R[p90_ms]}" "${R[p99_ms]}" "$errs" "${f[0]}" "${f[1]}" "${f[2]}" "${f[3]}" "${f[4]}" "${f[5]}" "${f[6]}"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date +%FT%T)" "$LABEL" "$SC" "$c" "${R[rps]}" "${R[p50_ms]}" "${R[p90_ms]}" "${R[p99_ms]}" "${R[max_ms]}" "$errs" "$row" >>"$RESULTS"
}

FAILED=0
for SC in $SCENARIOS; do
  scenario "$SC"
  if [[ $API == openai ]]; then hdrs="$AUTH_HEADER$NL$OPENAI_HEADERS"; else hdrs="$AUTH_HEADER$NL$ANTHROPIC_HEADERS"; fi
  url=$BASE$PATH_ curl_h=()
  while IFS= read -r l; do [[ -n $l ]] && curl_h+=(-H "$l"); done <<<"$hdrs"
  resp=$(curl -sS -m 30 -X POST "$url" -H 'Content-Type: application/json' "${curl_h[@]}" --data-binary @"$BODY_FILE" -w '\n%{http_code}' 2>&1 || true)
  code=${resp##*$'\n'}
  if [[ $code != 200 || $resp != *"$MARKER"* ]]; then
    echo "CHECK FAILED $LABEL $SC: POST $url -> HTTP $code (want 200 and '$MARKER'):"; echo "${resp:0:400}"; FAILED=1; continue
  fi
  if [[ ${PROBE:-0} == 1 ]]; then
    res=$(WRK_HEADERS=$hdrs node "$HERE/probe.mjs" "$url" "$BODY_FILE" "${PROBE_N:-10}")
    echo "$LABEL $SC $res (upstream: FAKE_DELAY_MS/FAKE_CHUNK_DELAY_MS as started)"
    printf '%s\t%s\t%s\t%s\n' "$(date +%FT%T)" "$LABEL" "$SC" "$res" >>"$(dirname "$RESULTS")/probe.tsv"
    continue
  fi
  WRK_BODY_FILE=$BODY_FILE WRK_HEADERS=$hdrs wrk -t1 -c16 -d"${WARMUP}s" --timeout 30s -s "$HERE/post.lua" "$url" >/dev/null 2>&1 || true
  for c in $CONNS; do measure "$c" "$url" "$hdrs"; done
done
exit $FAILED
