#!/usr/bin/env bash
# make test-cluster: starts the one-machine cluster (deploy/cluster/cluster.sh), runs the checks of
# io.sluice.loadtest.cluster.ClusterChecks through HAProxy, and stops the cluster whatever happened.
# The cluster runs with a per-client budget of 100 requests per hour (so "N+1 requests -> 429" is
# exact) and a per-IP budget high enough for the checks' load from one address. The table is also
# written to target/cluster-report.md. CLUSTER_PORT (default 18400) and CLUSTER_DIR as for cluster.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
export CLUSTER_DIR=${CLUSTER_DIR:-$PWD/target/cluster}
export CLUSTER_ENV="RATELIMIT_PER_dash_CLIENT=100 RATELIMIT_WINDOW=1h RATELIMIT_PER_dash_IP=1000000 ${CLUSTER_ENV:-}"
trap 'deploy/cluster/cluster.sh stop' EXIT
t0=$(date +%s)
deploy/cluster/cluster.sh start
echo "cluster started in $(( $(date +%s) - t0 )) s"
"$JAVA" -Xmx256m -cp "loadtest/target/sluice-loadtest.jar:loadtest/target/libs/*" io.sluice.loadtest.cluster.ClusterChecks \
  --env="$CLUSTER_DIR/cluster.env" --script=deploy/cluster/cluster.sh --out=target/cluster-report.md
