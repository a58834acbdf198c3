#!/usr/bin/env bash
# make bench: a fixed benchmark on this machine from a clean start. Starts three upstream simulators
# (0 s, 5 s and 2 s latency), a bare Helidon server (hello + WebClient pass-through to the 0 s simulator,
# the yardstick), and Sluice in four profiles, each with fresh embedded PostgreSQL/Redis under
# loadtest/target/bench and the JVM flags of `make run` (./jvm-options.sh):
#   full      auth on (API key made through the API), rate limits on (raised so none rejects), usage, access log
#   lean      auth and rate limits off (chat rows, 10,000 streams)
#   defaults  default admission limits (admission 503 timing)
#   api       API-only task submission
#   files, files-fixed   the file proxy with network adaptation on and off, origins: three file origins
#             (io.sluice.loadtest.origin.FileOrigin) simulating a normal, a poor and a very poor network
# The full instance is started alone, twice (first start, then restart) to time start-to-ready.
# Then io.sluice.loadtest.bench.Bench drives the load and writes loadtest/target/bench/report.md.
# Everything listens on 127.0.0.1; every process is stopped on exit.
# Knobs: BENCH_STREAMS (10000), BENCH_ARGS (passed to Bench, e.g. "--scenario=chat,light --seconds=3 --rss-seconds=10").
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=loadtest/target/bench
rm -rf "$OUT"; mkdir -p "$OUT"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
STREAMS="${BENCH_STREAMS:-10000}"
ADMIN_PASSWORD="bench-$(date +%s)-admin-pass"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

sim() {   # port latency tokens-per-second
  "$JAVA" -Xmx2g -jar loadtest/target/sluice-loadtest.jar --port="$1" --latency-ms="$2" --tokens=20 \
    --tokens-per-second="$3" > "$OUT/sim-$1.log" 2>&1 & PIDS+=($!)
}
RAISED=(ADMISSION_MAX_dash_CONCURRENT_dash_REQUESTS=30000 ADMISSION_MAX_dash_CONCURRENT_dash_STREAMING=30000
  SERVER_MAX_dash_TCP_dash_CONNECTIONS=40000 BULKHEADS_LLM_MAX_dash_CONCURRENT=30000 BULKHEADS_LLM_MAX_dash_QUEUE=1000
  LLM_UPSTREAM_MAX_dash_CONNECTIONS=30000 LLM_UPSTREAM_MAX_dash_CONNECTIONS_dash_PER_dash_PROVIDER=30000)
sluice() {   # name port extra-env...   (JVM flags: ./jvm-options.sh, CDS archive in the instance's data dir)
  local name=$1 port=$2; shift 2
  local jvm; jvm=$(SLUICE_CDS_DIR="$OUT/data-$name" ./jvm-options.sh "$JAVA")
  env -i PATH="$PATH" HOME="$HOME" SERVER_PORT="$port" LOGGING_DIR="$OUT/logs-$name" \
    DATABASE_EMBEDDED_DATA_dash_DIR="$OUT/data-$name/postgres" REDIS_EMBEDDED_DATA_dash_DIR="$OUT/data-$name/redis" \
    LLM_PROVIDERS_SIM0_TYPE=openai-compatible LLM_PROVIDERS_SIM0_BASE_dash_URL=http://127.0.0.1:19090/v1 \
    LLM_PROVIDERS_SIM5_TYPE=openai-compatible LLM_PROVIDERS_SIM5_BASE_dash_URL=http://127.0.0.1:19091/v1 \
    LLM_PROVIDERS_SIM2_TYPE=openai-compatible LLM_PROVIDERS_SIM2_BASE_dash_URL=http://127.0.0.1:19092/v1 \
    LLM_MODELS_FAST_ROUTE=sim0:sim LLM_MODELS_SLOW5_ROUTE=sim5:sim LLM_MODELS_SLOW2_ROUTE=sim2:sim \
    LLM_MODELS_CACHED_ROUTE=sim0:sim LLM_MODELS_CACHED_CACHE_MODE=exact LLM_MODELS_CACHED_CACHE_TEMPERATURE_dash_MAX=2 \
    DIAGNOSTICS_ENABLED=true AUTH_ENABLED=false RATELIMIT_ENABLED=false "$@" \
    "$JAVA" $jvm -jar server/target/sluice.jar >> "$OUT/sluice-$name.out" 2>&1 & PIDS+=($!)
  eval "PID_$name=$!"
}
ready() {   # url [pid]: wait for a 200, at most 60 s
  for _ in $(seq 1 1200); do
    curl -sf -o /dev/null "$1" && return 0
    if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then echo "died before ready: $1 (see $OUT)" >&2; exit 1; fi
    sleep 0.05
  done
  echo "not ready: $1" >&2; exit 1
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
idle_total() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print $5 + $6, t }' /proc/stat; }
quiet() {   # until the machine is 90% idle in two 0.5 s windows in a row (at most 30 s), as Bench does before each section
  local ok=0 end=$((SECONDS + 30)) i1 t1 i2 t2
  while [ "$ok" -lt 2 ] && [ "$SECONDS" -lt "$end" ]; do
    read -r i1 t1 < <(idle_total); sleep 0.5; read -r i2 t2 < <(idle_total)
    if [ $(( (i2 - i1) * 100 )) -ge $(( (t2 - t1) * 90 )) ]; then ok=$((ok + 1)); else ok=0; fi
  done
}
full() {
  sluice full 19080 "${RAISED[@]}" AUTH_ENABLED=true AUTH_ADMIN_PASSWORD="$ADMIN_PASSWORD" RATELIMIT_ENABLED=true \
    RATELIMIT_PER_dash_CLIENT=1000000000 RATELIMIT_PER_dash_IP=1000000000 ADMISSION_MAX_dash_CONCURRENT_dash_PER_dash_CLIENT=0 \
    RATELIMIT_UPSTREAM_INITIAL_dash_RATE=1000000 RATELIMIT_UPSTREAM_MAX_dash_RATE=1000000
}

sim 19090 0 0
sim 19091 5000 100
sim 19092 2000 0
"$JAVA" -Xmx512m -cp loadtest/target/sluice-loadtest.jar io.sluice.loadtest.bench.BareHelidon 19093 http://127.0.0.1:19090 \
  > "$OUT/bare.log" 2>&1 & PIDS+=($!); PID_bare=$!
sluice lean 19084 "${RAISED[@]}" RATELIMIT_UPSTREAM_ENABLED=false
sluice defaults 19081 AUDIO_PROVIDERS_SIMULATED_LATENCY=1s PODCASTS_DIR="$OUT/data-defaults/podcasts"   # podcast row: a 1 s TTS
sluice api 19082 TASKS_ROLE=api TASKS_STREAM=bench:submit-only
for u in http://127.0.0.1:19090/v1/models http://127.0.0.1:19091/v1/models http://127.0.0.1:19092/v1/models \
         http://127.0.0.1:19093/; do ready "$u"; done
ready http://127.0.0.1:19084/observe/health/ready "$PID_lean"
ready http://127.0.0.1:19081/observe/health/ready "$PID_defaults"
ready http://127.0.0.1:19082/observe/health/ready "$PID_api"
# File proxy: three origins (normal / poor / very poor network) and two instances, adaptation on and off.
wants() {   # scenario: true when BENCH_ARGS selects it (no --scenario, or all, or it is in the list)
  local sel; sel=$(sed -n 's/.*--scenario=\([^ ]*\).*/\1/p' <<<"${BENCH_ARGS:-}")
  case ",${sel}," in ",,"|*,all,*|*",$1,"*) return 0;; *) return 1;; esac
}
origin() {   # port flags...
  local port=$1; shift
  "$JAVA" -Xmx256m -cp loadtest/target/sluice-loadtest.jar io.sluice.loadtest.origin.FileOrigin --port="$port" "$@" \
    > "$OUT/origin-$port.log" 2>&1 & PIDS+=($!)
}
FILES=(FILEPROXY_ORIGINS_NORMAL_BASE_dash_URL=http://127.0.0.1:19100/media/
  FILEPROXY_ORIGINS_POOR_BASE_dash_URL=http://127.0.0.1:19101/media/
  FILEPROXY_ORIGINS_VERYPOOR_BASE_dash_URL=http://127.0.0.1:19102/media/
  FILEPROXY_MAX_dash_CONNECTIONS=3000 FILEPROXY_MAX_dash_CONNECTIONS_dash_PER_dash_ORIGIN=1000
  FILEPROXY_RATE_INITIAL_dash_RATE=100000 FILEPROXY_RATE_MAX_dash_RATE=100000)
PID_files=0; PID_filesfixed=0
if wants files; then   # after the others are ready: five embedded Redis starting at once timed out on a busy box
  origin 19100 --latency-ms=10
  origin 19101 --latency-ms=100-200 --bandwidth=10Mbit --stall-share=0.015 --stall-ms=1000
  origin 19102 --latency-ms=300-500 --bandwidth=1Mbit --stall-share=0.05 --stall-ms=1000
  sluice files 19085 "${RAISED[@]}" "${FILES[@]}" FILEPROXY_ADAPTIVE=true
  sluice filesfixed 19086 "${RAISED[@]}" "${FILES[@]}" FILEPROXY_ADAPTIVE=false
  for u in http://127.0.0.1:19100/_origin/stats http://127.0.0.1:19101/_origin/stats http://127.0.0.1:19102/_origin/stats; do
    ready "$u"; done
  ready http://127.0.0.1:19085/observe/health/ready "$PID_files"
  ready http://127.0.0.1:19086/observe/health/ready "$PID_filesfixed"
fi

# Start-to-ready of the full instance, alone: a first start (initdb), a clean stop (writes the CDS archive), a restart,
# each once the instances started above have settled (their JIT and embedded servers busy the cores for a while).
quiet; t0=$(now_ms); full; ready http://127.0.0.1:19080/observe/health/ready "$PID_full"; START_FIRST=$(( $(now_ms) - t0 ))
kill -TERM "$PID_full"; wait "$PID_full" || true
quiet; t0=$(now_ms); full; ready http://127.0.0.1:19080/observe/health/ready "$PID_full"; START=$(( $(now_ms) - t0 ))
echo "start to ready: first $START_FIRST ms, restart $START ms"
JVM=$(SLUICE_CDS_DIR="$OUT/data-full" ./jvm-options.sh "$JAVA")

HEADER="# Sluice benchmark

- Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')
- Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, open-file limit $(ulimit -n), $(uname -sr); $("$JAVA" -version 2>&1 | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)
- Date: $(date -u '+%Y-%m-%d %H:%M UTC')
- Command: \`make bench\` (loadtest/bench.sh; BENCH_STREAMS=$STREAMS${BENCH_ARGS:+; BENCH_ARGS=$BENCH_ARGS}). Client: io.sluice.loadtest.bench.Bench, raw HTTP/1.1 on virtual threads, on the same machine as the servers, so every figure includes the client's share of the cores; anything else running on the machine shows up as noise. Ratios from the same run are the honest part.
- Sluice: \`java $JVM -jar server/target/sluice.jar\` (the flags of \`make run\`, from ./jvm-options.sh), embedded PostgreSQL and Redis, usage recorded per chat."

"$JAVA" -Xmx3g -cp loadtest/target/sluice-loadtest.jar io.sluice.loadtest.bench.Bench \
  --header="$HEADER" --out="$OUT/report.md" --streams="$STREAMS" --jvm="$JVM" \
  --startFirstMs="$START_FIRST" --startMs="$START" --adminPassword="$ADMIN_PASSWORD" \
  --sim0=http://127.0.0.1:19090 --hello=http://127.0.0.1:19093 --helloPid="$PID_bare" \
  --sluice=http://127.0.0.1:19080 --sluicePid="$PID_full" --sluiceLean=http://127.0.0.1:19084 --sluiceLeanPid="$PID_lean" \
  --sluiceDefaults=http://127.0.0.1:19081 --sluiceDefaultsPid="$PID_defaults" --sluiceApi=http://127.0.0.1:19082 --sluiceApiPid="$PID_api" \
  --originNormal=http://127.0.0.1:19100 --originPoor=http://127.0.0.1:19101 --originVeryPoor=http://127.0.0.1:19102 \
  --sluiceFiles=http://127.0.0.1:19085 --sluiceFilesPid="$PID_files" \
  --sluiceFilesFixed=http://127.0.0.1:19086 --sluiceFilesFixedPid="$PID_filesfixed" \
  ${BENCH_ARGS:-}
