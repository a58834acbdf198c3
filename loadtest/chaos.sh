#!/usr/bin/env bash
# make chaos: long fault scenarios under load (not part of make test; a few minutes). Starts the upstream
# simulator (0 s latency), and Sluice with fresh embedded PostgreSQL/Redis under loadtest/target/chaos,
# whose provider points at the chaos proxy that io.sluice.loadtest.chaos.Chaos runs in front of the
# simulator. Chaos drives chat, session and task load while it kills PostgreSQL, stops Redis, stalls and
# resets the upstream and holds connections with slow bodies; it prints a table, also written to
# loadtest/target/chaos/report.md. Everything listens on 127.0.0.1; every process is stopped on exit.
# Knobs: CHAOS_ARGS (e.g. "--scenario=postgres-kill,redis-stop --fault-seconds=10").
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=loadtest/target/chaos
rm -rf "$OUT"; mkdir -p "$OUT"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
SIM_PORT=19190; PROXY_PORT=19191; PORT=19180
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

"$JAVA" -Xmx1g -jar loadtest/target/sluice-loadtest.jar --port="$SIM_PORT" --latency-ms=0 --tokens=20 \
  > "$OUT/sim.log" 2>&1 & PIDS+=($!)
jvm=$(SLUICE_CDS_DIR="$OUT/data" ./jvm-options.sh "$JAVA")
env -i PATH="$PATH" HOME="$HOME" SERVER_PORT="$PORT" LOGGING_DIR="$OUT/logs" \
  DATABASE_EMBEDDED_DATA_dash_DIR="$OUT/data/postgres" REDIS_EMBEDDED_DATA_dash_DIR="$OUT/data/redis" \
  LLM_PROVIDERS_UP_TYPE=openai-compatible LLM_PROVIDERS_UP_BASE_dash_URL=http://127.0.0.1:$PROXY_PORT/v1 \
  LLM_MODELS_FAST_ROUTE=up:sim SESSIONS_DEFAULT_dash_MODEL=fast LLM_UPSTREAM_TOTAL_dash_TIMEOUT=5s \
  AUTH_ENABLED=false RATELIMIT_ENABLED=false \
  "$JAVA" $jvm -jar server/target/sluice.jar > "$OUT/sluice.out" 2>&1 & PIDS+=($!); SLUICE=$!
for _ in $(seq 1 1200); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/observe/health/ready" && break
  kill -0 "$SLUICE" 2>/dev/null || { echo "Sluice died before ready (see $OUT/sluice.out)" >&2; exit 1; }
  sleep 0.05
done
"$JAVA" -Xmx512m -cp loadtest/target/sluice-loadtest.jar io.sluice.loadtest.chaos.Chaos \
  --sluice-port="$PORT" --proxy-port="$PROXY_PORT" --sim-port="$SIM_PORT" --data="$OUT/data" \
  --out="$OUT/report.md" ${CHAOS_ARGS:-}
echo "Sluice's log: $OUT/logs/server.log (restarts and orphans are logged there)"
