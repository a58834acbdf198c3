#!/usr/bin/env bash
# A real Sluice cluster on one machine, no containers: `make cluster` / `make cluster-stop`.
#   deploy/cluster/cluster.sh start   PostgreSQL (or DATABASE_URL), PgBouncer (transaction mode), Redis primary +
#                                     replica + 3 Sentinels, the upstream simulator, 3 Sluice instances, HAProxy
#   deploy/cluster/cluster.sh stop    stops exactly what start started (PID files under the cluster dir)
#   deploy/cluster/cluster.sh instance N   starts instance N (1-3) again, e.g. after a test stopped it
# Everything listens on 127.0.0.1. Ports from CLUSTER_PORT (default 18400):
#   +0 HAProxy (the one URL)  +1 HAProxy's stats page (/stats)  +2 PostgreSQL  +3 PgBouncer  +4 Redis primary  +5 Redis replica
#   +6..+8 Sentinels  +9 upstream simulator  +11..+13 Sluice instances
# HAProxy connects to the instances from 127.0.0.2 (`source`), and the instances trust only that address
# (security.trusted-proxies), so a client on 127.0.0.1 talking to an instance directly is not trusted.
# Files (configs, data, logs, PID files, cluster.env) live in CLUSTER_DIR (default target/cluster).
# The Debian packages haproxy, pgbouncer, redis-server, redis-sentinel (and postgresql without DATABASE_URL)
# are installed with apt-get when missing and running as root; otherwise it stops with the command to run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BASE=${CLUSTER_PORT:-18400}
DIR=${CLUSTER_DIR:-$ROOT/target/cluster}
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
LB=$BASE STATS=$((BASE + 1)) PG=$((BASE + 2)) PGB=$((BASE + 3)) R1=$((BASE + 4)) R2=$((BASE + 5)) SIM=$((BASE + 9))
SENTINELS=($((BASE + 6)) $((BASE + 7)) $((BASE + 8)))
APPS=($((BASE + 11)) $((BASE + 12)) $((BASE + 13)))
PROXY_SOURCE=127.0.0.2
MASTER=sluice
SUDO=()   # PostgreSQL and PgBouncer refuse to run as root: as root they run as the postgres user
[ "$(id -u)" = 0 ] && SUDO=(runuser -u postgres --)

log() { echo "cluster: $*" >&2; }
die() { echo "cluster: $*" >&2; exit 1; }

# Waits (bounded) until host:port accepts connections.
wait_port() {
  local port=$1 what=$2 tries=${3:-300}
  for _ in $(seq 1 "$tries"); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  die "$what did not listen on 127.0.0.1:$port (logs under $DIR)"
}

# The newest PostgreSQL server binaries (a client-only install has the folder too, without initdb).
pg_bin() { local d; for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do [ -x "$d/initdb" ] && { echo "$d"; return; }; done; }

# Fails fast when one of the cluster's ports is taken (another cluster, another program): wait_port would
# otherwise take whatever answers there for the server it just started.
check_ports_free() {
  local port busy=()
  for port in "$@"; do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && busy+=("$port")
  done
  [ ${#busy[@]} = 0 ] || die "port(s) ${busy[*]} on 127.0.0.1 already in use: stop what listens there, or choose another CLUSTER_PORT (now $BASE)"
}

ensure_packages() {
  local missing=()
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v pgbouncer >/dev/null || missing+=(pgbouncer)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-sentinel >/dev/null || missing+=(redis-sentinel)
  [ -n "${DATABASE_URL:-}" ] || [ -n "$(pg_bin)" ] || missing+=(postgresql)
  if [ ${#missing[@]} = 0 ]; then
    [ "$(id -u)" != 0 ] || id postgres >/dev/null 2>&1 ||
      die "as root, PostgreSQL and PgBouncer run as the postgres user, which does not exist: apt-get install -y postgresql-common"
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    die "missing packages; install them with: sudo apt-get install -y ${missing[*]}"
  fi
  log "installing ${missing[*]} (apt-get)"
  # Package scripts must not start system-wide services: the cluster runs its own copies.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d.sluice && chmod +x /usr/sbin/policy-rc.d.sluice
  local had_policy=0; [ -e /usr/sbin/policy-rc.d ] && had_policy=1
  [ $had_policy = 1 ] || cp /usr/sbin/policy-rc.d.sluice /usr/sbin/policy-rc.d
  # Waits (bounded) for a dpkg lock another apt run holds, instead of failing at once.
  local apt=(apt-get -y -q -o DPkg::Lock::Timeout=300)
  { DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "${missing[@]}" >"$DIR/apt.log" 2>&1 ||
    { "${apt[@]}" update >>"$DIR/apt.log" 2>&1 && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "${missing[@]}" >>"$DIR/apt.log" 2>&1; }; } ||
    { [ $had_policy = 1 ] || rm -f /usr/sbin/policy-rc.d; rm -f /usr/sbin/policy-rc.d.sluice; die "apt-get install ${missing[*]} failed (see $DIR/apt.log)"; }
  [ $had_policy = 1 ] || rm -f /usr/sbin/policy-rc.d
  rm -f /usr/sbin/policy-rc.d.sluice
}

start_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then
    # postgres://user:password@host:port/db
    [[ "$DATABASE_URL" =~ ^postgres(ql)?://([^:@/]+)(:([^@]*))?@([^:/]+)(:([0-9]+))?/([^?]+) ]] ||
      die "DATABASE_URL must look like postgres://user:password@host:port/db"
    DB_USER=${BASH_REMATCH[2]} DB_PASS=${BASH_REMATCH[4]} DB_HOST=${BASH_REMATCH[5]} DB_PORT=${BASH_REMATCH[7]:-5432}
    DB_NAME=${BASH_REMATCH[8]}
    log "PostgreSQL: using DATABASE_URL ($DB_HOST:$DB_PORT/$DB_NAME)"
    return
  fi
  local bin; bin=$(pg_bin)
  DB_USER=sluice DB_PASS=sluice DB_HOST=127.0.0.1 DB_PORT=$PG DB_NAME=sluice
  mkdir -p "$DIR/postgres"
  [ ${#SUDO[@]} = 0 ] || chown postgres "$DIR/postgres"
  "${SUDO[@]}" "$bin/initdb" -D "$DIR/postgres/data" -U postgres --auth=trust -E UTF8 --no-sync >"$DIR/postgres/initdb.log" 2>&1 ||
    die "initdb failed (see $DIR/postgres/initdb.log)"
  "${SUDO[@]}" "$bin/pg_ctl" -D "$DIR/postgres/data" -l "$DIR/postgres/postgres.log" -w -t 60 start \
    -o "-p $PG -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DIR/postgres -c max_connections=150 -c synchronous_commit=off" \
    >/dev/null || die "PostgreSQL did not start (see $DIR/postgres/postgres.log)"
  head -1 "$DIR/postgres/data/postmaster.pid" > "$DIR/pids/postgres.pid"
  "$bin/psql" -q -h 127.0.0.1 -p "$PG" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE USER sluice PASSWORD 'sluice'" -c "CREATE DATABASE sluice OWNER sluice" >/dev/null
  log "PostgreSQL on 127.0.0.1:$PG"
}

start_pgbouncer() {
  local d="$DIR/pgbouncer"
  mkdir -p "$d"
  cat > "$d/pgbouncer.ini" <<EOF
[databases]
sluice = host=$DB_HOST port=$DB_PORT dbname=$DB_NAME user=$DB_USER password=$DB_PASS
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB
unix_socket_dir =
auth_type = trust
auth_file = $d/userlist.txt
pool_mode = transaction
default_pool_size = 40
max_client_conn = 1000
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
pidfile = $d/pgbouncer.pid
logfile = $d/pgbouncer.log
EOF
  echo "\"$DB_USER\" \"\"" > "$d/userlist.txt"
  [ ${#SUDO[@]} = 0 ] || chown -R postgres "$d"
  "${SUDO[@]}" pgbouncer -d -q "$d/pgbouncer.ini" || die "PgBouncer did not start (see $d/pgbouncer.log)"
  wait_port "$PGB" PgBouncer
  cp "$d/pgbouncer.pid" "$DIR/pids/pgbouncer.pid"
  log "PgBouncer (transaction mode) on 127.0.0.1:$PGB"
}

start_redis() {
  local d="$DIR/redis"
  mkdir -p "$d/primary" "$d/replica"
  local common=(--bind 127.0.0.1 --protected-mode no --daemonize yes --appendonly yes --save "")
  redis-server --port "$R1" --dir "$d/primary" --pidfile "$DIR/pids/redis-primary.pid" --logfile "$d/primary.log" "${common[@]}"
  redis-server --port "$R2" --dir "$d/replica" --pidfile "$DIR/pids/redis-replica.pid" --logfile "$d/replica.log" \
    --replicaof 127.0.0.1 "$R1" "${common[@]}"
  wait_port "$R1" "Redis primary"; wait_port "$R2" "Redis replica"
  local i=0
  for port in "${SENTINELS[@]}"; do
    i=$((i + 1))
    mkdir -p "$d/sentinel$i"
    cat > "$d/sentinel$i/sentinel.conf" <<EOF
port $port
bind 127.0.0.1
protected-mode no
daemonize yes
pidfile $DIR/pids/sentinel$i.pid
logfile $d/sentinel$i.log
dir $d/sentinel$i
sentinel monitor $MASTER 127.0.0.1 $R1 2
sentinel down-after-milliseconds $MASTER 1000
sentinel failover-timeout $MASTER 5000
sentinel parallel-syncs $MASTER 1
EOF
    redis-sentinel "$d/sentinel$i/sentinel.conf"
  done
  for port in "${SENTINELS[@]}"; do wait_port "$port" "Sentinel"; done
  log "Redis primary 127.0.0.1:$R1, replica :$R2, Sentinels :${SENTINELS[*]} (master name $MASTER)"
}

start_simulator() {
  [ -f loadtest/target/sluice-loadtest.jar ] || die "loadtest/target/sluice-loadtest.jar missing (make build-loadtest)"
  "$JAVA" -Xmx256m -jar loadtest/target/sluice-loadtest.jar --host=127.0.0.1 --port="$SIM" \
    --latency-ms="${CLUSTER_SIM_LATENCY_MS:-20-80}" --tokens=20 --tokens-per-second="${CLUSTER_SIM_TPS:-8}" \
    >"$DIR/simulator.log" 2>&1 &
  echo $! > "$DIR/pids/simulator.pid"
  wait_port "$SIM" "upstream simulator"
}

# One Sluice instance (n = 1..3) in the background; its PID in pids/sluice-n.pid.
start_instance() {
  local n=$1 port=${APPS[$(($1 - 1))]} d="$DIR/sluice-$1"
  mkdir -p "$d"
  # Each instance its own class-data archive, kept across clusters (written at the first clean stop).
  local jvm; jvm=$(SLUICE_HEAP=${CLUSTER_HEAP:-256m} SLUICE_CDS_DIR="$ROOT/target/cluster-cds/$n" ./jvm-options.sh "$JAVA")
  env -i PATH="$PATH" HOME="${HOME:-/root}" \
    SERVER_PORT="$port" LOGGING_DIR="$d/logs" TASKS_CONSUMER="sluice-$n" \
    DATABASE_URL="postgres://$DB_USER:$DB_PASS@127.0.0.1:$PGB/sluice" DATABASE_PGBOUNCER=true \
    DATABASE_SERVER_dash_CONNECTIONS=30 DATABASE_REPLICAS=3 \
    REDIS_SENTINELS="$(printf '127.0.0.1:%s,' "${SENTINELS[@]}" | sed 's/,$//')" REDIS_MASTER_dash_NAME=$MASTER \
    SECURITY_TRUSTED_dash_PROXIES=$PROXY_SOURCE \
    AUTH_JWT_dash_SECRET="$JWT_SECRET" AUTH_ADMIN_PASSWORD="$ADMIN_PASSWORD" AUTH_JWT_dash_SECRET_dash_FILE="$d/jwt-secret" \
    LLM_PROVIDERS_UP_TYPE=openai-compatible LLM_PROVIDERS_UP_BASE_dash_URL="http://127.0.0.1:$SIM/v1" \
    LLM_MODELS_FAST_ROUTE=up:sim SESSIONS_DEFAULT_dash_MODEL=fast \
    ADMISSION_DRAIN_dash_DELAY=3s ADMISSION_DRAIN_dash_TIMEOUT=20s TASKS_RECONCILE_dash_INTERVAL=2s TASKS_VISIBILITY_dash_TIMEOUT=5s \
    ${CLUSTER_ENV:-} \
    "$JAVA" $jvm -jar server/target/sluice.jar >"$d/console.log" 2>&1 &
  echo $! > "$DIR/pids/sluice-$n.pid"
}

wait_ready() {
  local n=$1 port=${APPS[$(($1 - 1))]}
  for _ in $(seq 1 1800); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/observe/health/ready" && return 0
    kill -0 "$(cat "$DIR/pids/sluice-$n.pid")" 2>/dev/null || die "Sluice $n died before ready (see $DIR/sluice-$n/console.log)"
    sleep 0.1
  done
  die "Sluice $n not ready within 180 s (see $DIR/sluice-$n/console.log)"
}

start_haproxy() {
  local d="$DIR/haproxy"
  mkdir -p "$d"
  {
    cat <<EOF
global
  daemon
  pidfile $DIR/pids/haproxy.pid
  maxconn 8000
defaults
  mode http
  timeout connect 2s
  timeout client 300s
  timeout server 300s
  timeout http-request 10s
  timeout http-keep-alive 10s
  # A health check may take this long (without it, inter: 500 ms): an instance slow to answer on a busy
  # machine is not marked down, while one whose readiness fails (answers 503) is still caught at once.
  timeout check 3s
  # Streams (SSE) stay open for minutes: no buffering, long server timeout.
  option http-no-delay
  # The client address reaches the instances in X-Forwarded-For; they trust it only from $PROXY_SOURCE.
  option forwardfor
  # A request that got no answer (an instance gone) is tried on another one. A stopping instance fails
  # its readiness admission.drain-delay (3 s) before it refuses anything, so no 503 needs a retry.
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response
frontend sluice
  bind 127.0.0.1:$LB
  default_backend instances
frontend stats
  bind 127.0.0.1:$STATS
  stats enable
  stats uri /stats
backend instances
  balance roundrobin
  option httpchk
  http-check send meth GET uri /observe/health/ready ver HTTP/1.1 hdr Host localhost
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2 source $PROXY_SOURCE
EOF
    local i=0
    for port in "${APPS[@]}"; do i=$((i + 1)); echo "  server sluice-$i 127.0.0.1:$port check"; done
  } > "$d/haproxy.cfg"
  haproxy -c -q -f "$d/haproxy.cfg" || die "haproxy.cfg is invalid"
  haproxy -f "$d/haproxy.cfg" || die "HAProxy did not start"
  wait_port "$LB" HAProxy
}

start() {
  if [ -d "$DIR/pids" ] && ls "$DIR"/pids/*.pid >/dev/null 2>&1; then
    die "a cluster seems to run from $DIR (PID files in $DIR/pids): make cluster-stop first"
  fi
  rm -rf "$DIR"; mkdir -p "$DIR/pids"
  [ -f server/target/sluice.jar ] || die "server/target/sluice.jar missing (make build)"
  ensure_packages
  local ports=("$LB" "$STATS" "$PGB" "$R1" "$R2" "${SENTINELS[@]}" "$SIM" "${APPS[@]}")
  [ -n "${DATABASE_URL:-}" ] || ports+=("$PG")
  check_ports_free "${ports[@]}"
  trap 'status=$?; [ $status = 0 ] || { log "start failed: stopping what was started"; stop; }' EXIT
  JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')
  ADMIN_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '\n/+=')
  start_postgres
  # What `cluster.sh instance N` needs to start an instance again with the same settings.
  (umask 077; declare -p JWT_SECRET ADMIN_PASSWORD DB_USER DB_PASS > "$DIR/instance.env"; ce=${CLUSTER_ENV:-}; echo "CLUSTER_ENV=${ce@Q}" >> "$DIR/instance.env")
  start_pgbouncer
  start_redis
  start_simulator
  # The first instance migrates the schema alone (Flyway's session lock does not survive transaction
  # pooling); the others find the schema current and skip Flyway.
  start_instance 1; wait_ready 1
  start_instance 2; start_instance 3; wait_ready 2; wait_ready 3
  start_haproxy
  (umask 077; : > "$DIR/cluster.env")
  cat > "$DIR/cluster.env" <<EOF
CLUSTER_URL=http://127.0.0.1:$LB
CLUSTER_DIR=$DIR
LB_PORT=$LB
STATS_URL=http://127.0.0.1:$STATS/stats
PG_PORT=$DB_PORT
PGBOUNCER_PORT=$PGB
DB_USER=$DB_USER
DB_PASS=$DB_PASS
DB_NAME=$DB_NAME
REDIS_PORTS=$R1,$R2
SENTINEL_PORTS=$(IFS=,; echo "${SENTINELS[*]}")
MASTER_NAME=$MASTER
APP_PORTS=$(IFS=,; echo "${APPS[*]}")
SIM_PORT=$SIM
PROXY_SOURCE=$PROXY_SOURCE
ADMIN_USER=admin
ADMIN_PASSWORD=$ADMIN_PASSWORD
EOF
  log "3 instances on 127.0.0.1:${APPS[*]} behind HAProxy; files under $DIR (admin password in $DIR/cluster.env)"
  echo "Sluice cluster ready: http://127.0.0.1:$LB"
}

# Stops the processes of the named PID files together: SIGTERM (PostgreSQL: pg_ctl stop), a bounded
# wait, then SIGKILL for any that ignored it. Only PIDs from our own PID files are ever signalled.
stop_group() {
  local pids=() names=()
  for name in "$@"; do
    local f="$DIR/pids/$name.pid"
    [ -f "$f" ] || continue
    local pid; pid=$(head -1 "$f" | tr -d ' \n')
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      if [ "$name" = postgres ] && [ -d "$DIR/postgres/data" ]; then
        "${SUDO[@]}" "$(pg_bin)/pg_ctl" -D "$DIR/postgres/data" -m fast -w -t 20 stop >/dev/null 2>&1 || true
      else
        kill -TERM "$pid" 2>/dev/null || true
      fi
      pids+=("$pid"); names+=("$name")
    fi
    rm -f "$f"
  done
  local i
  for i in "${!pids[@]}"; do
    for _ in $(seq 1 600); do kill -0 "${pids[$i]}" 2>/dev/null || break; sleep 0.1; done
    kill -0 "${pids[$i]}" 2>/dev/null && { log "${names[$i]} (${pids[$i]}) ignored SIGTERM for 60 s (a first stop writes the class-data archive): SIGKILL"; kill -KILL "${pids[$i]}" 2>/dev/null || true; }
  done
  return 0
}

# Stops everything start started, front to back.
stop() {
  [ -d "$DIR/pids" ] || { log "nothing to stop ($DIR/pids does not exist)"; return 0; }
  stop_group haproxy
  stop_group sluice-1 sluice-2 sluice-3
  stop_group simulator sentinel1 sentinel2 sentinel3 redis-replica redis-primary pgbouncer
  stop_group postgres
  log "stopped"
}

# Starts instance n again (after a check stopped or killed it) with the settings start used.
instance() {
  local n=$1
  [[ "$n" =~ ^[123]$ ]] || die "usage: $0 instance 1|2|3"
  [ -f "$DIR/instance.env" ] || die "no cluster in $DIR"
  # shellcheck disable=SC1091
  source "$DIR/instance.env"
  local f="$DIR/pids/sluice-$n.pid"
  if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then die "instance $n is running"; fi
  start_instance "$n"; wait_ready "$n"
  log "instance $n ready on 127.0.0.1:${APPS[$((n - 1))]}"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  instance) instance "${2:-}" ;;
  *) die "usage: $0 start|stop|instance N" ;;
esac
