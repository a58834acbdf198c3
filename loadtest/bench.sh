#!/usr/bin/env bash
# make bench: a fixed benchmark on this machine from a clean start. Starts three upstream simulators
# (0 s, 5 s and 2 s latency), a bare Helidon server, and Sluice in three profiles (raised limits,
# default limits, API-only), each with fresh embedded PostgreSQL/Redis under loadtest/target/bench,
# then runs io.sluice.loadtest.bench.Bench and writes loadtest/target/bench/report.md.
# Everything listens on 127.0.0.1; every process is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=loadtest/target/bench
rm -rf "$OUT"; mkdir -p "$OUT"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
STREAMS="${BENCH_STREAMS:-10000}"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

sim() {   # port latency tokens-per-second
  "$JAVA" -Xmx2g -jar loadtest/target/sluice-loadtest.jar --port="$1" --latency-ms="$2" --tokens=20 \
    --tokens-per-second="$3" > "$OUT/sim-$1.log" 2>&1 & PIDS+=($!)
}
sluice() {   # name port extra-env...
  local name=$1 port=$2; shift 2
  env -i PATH="$PATH" HOME="$HOME" SERVER_PORT="$port" LOGGING_DIR="$OUT/logs-$name" \
    DATABASE_EMBEDDED_DATA_dash_DIR="$OUT/data-$name/postgres" REDIS_EMBEDDED_DATA_dash_DIR="$OUT/data-$name/redis" \
    LLM_PROVIDERS_SIM0_TYPE=openai-compatible LLM_PROVIDERS_SIM0_BASE_dash_URL=http://127.0.0.1:19090/v1 \
    LLM_PROVIDERS_SIM5_TYPE=openai-compatible LLM_PROVIDERS_SIM5_BASE_dash_URL=http://127.0.0.1:19091/v1 \
    LLM_PROVIDERS_SIM2_TYPE=openai-compatible LLM_PROVIDERS_SIM2_BASE_dash_URL=http://127.0.0.1:19092/v1 \
    LLM_MODELS_FAST_ROUTE=sim0:sim LLM_MODELS_SLOW5_ROUTE=sim5:sim LLM_MODELS_SLOW2_ROUTE=sim2:sim \
    DIAGNOSTICS_ENABLED=true AUTH_ENABLED=false RATELIMIT_ENABLED=false "$@" \
    "$JAVA" -Xmx2g -XX:+UseZGC -jar server/target/sluice.jar > "$OUT/sluice-$name.out" 2>&1 & PIDS+=($!)
  eval "PID_$name=$!"
}
ready() {   # url
  for _ in $(seq 1 120); do curl -sf -o /dev/null "$1" && return 0; sleep 0.5; done
  echo "not ready: $1" >&2; exit 1
}

sim 19090 0 0
sim 19091 5000 100
sim 19092 2000 0
"$JAVA" -Xmx512m -cp loadtest/target/sluice-loadtest.jar io.sluice.loadtest.bench.BareHelidon 19093 http://127.0.0.1:19090 > "$OUT/bare.log" 2>&1 & PIDS+=($!); PID_bare=$!
sluice bench 19080 ADMISSION_MAX_dash_CONCURRENT_dash_REQUESTS=30000 ADMISSION_MAX_dash_CONCURRENT_dash_STREAMING=30000 \
  SERVER_MAX_dash_TCP_dash_CONNECTIONS=40000 BULKHEADS_LLM_MAX_dash_CONCURRENT=30000 BULKHEADS_LLM_MAX_dash_QUEUE=1000 \
  LLM_UPSTREAM_MAX_dash_CONNECTIONS=30000 LLM_UPSTREAM_MAX_dash_CONNECTIONS_dash_PER_dash_PROVIDER=30000 \
  RATELIMIT_UPSTREAM_ENABLED=false
sluice defaults 19081
sluice api 19082 TASKS_ROLE=api TASKS_STREAM=bench:submit-only
for u in http://127.0.0.1:19090/v1/models http://127.0.0.1:19091/v1/models http://127.0.0.1:19092/v1/models \
         http://127.0.0.1:19093/ http://127.0.0.1:19080/observe/health/ready http://127.0.0.1:19081/observe/health/ready \
         http://127.0.0.1:19082/observe/health/ready; do ready "$u"; done

HEADER="# Sluice benchmark

- Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')
- Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); $("$JAVA" -version 2>&1 | head -1)
- Date: $(date -u '+%Y-%m-%d %H:%M UTC')
- Command: \`make bench\` (loadtest/bench.sh; BENCH_STREAMS=$STREAMS). Client: io.sluice.loadtest.bench.Bench, raw HTTP/1.1 on virtual threads, on the same machine as the servers, so every figure includes the client's share of the 2 cores.
- Sluice: \`java -Xmx2g -XX:+UseZGC -jar server/target/sluice.jar\`, embedded PostgreSQL and Redis, usage recorded per chat."

"$JAVA" -Xmx3g -cp loadtest/target/sluice-loadtest.jar io.sluice.loadtest.bench.Bench \
  --header="$HEADER" --out="$OUT/report.md" --streams="$STREAMS" \
  --sim0=http://127.0.0.1:19090 --sluice=http://127.0.0.1:19080 --sluicePid="$PID_bench" \
  --sluiceDefaults=http://127.0.0.1:19081 --sluiceDefaultsPid="$PID_defaults" --sluiceApi=http://127.0.0.1:19082 --sluiceApiPid="$PID_api" \
  --hello=http://127.0.0.1:19093 --helloPid="$PID_bare" ${BENCH_ARGS:-}
