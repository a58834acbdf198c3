# Sluice. Targets (also `make help`):
#   make run        build, then start Sluice on http://127.0.0.1:8080 (embedded PostgreSQL/Redis, data under data/)
#                   with the JVM flags of ./jvm-options.sh (SLUICE_HEAP=512m, SLUICE_GC, SLUICE_CDS, SLUICE_JVM_OPTS)
#   make build      compile and package server/target/sluice.jar (no tests)
#   make test       the full build with every test, against real PostgreSQL and Redis (what CI runs),
#                   then the Prometheus alert rules with promtool (make alert-rules)
#   make clean      remove build output and logs (not data/)
#   make upstream   the OpenAI-compatible upstream simulator on :9090 (UPSTREAM_PORT, UPSTREAM_ARGS)
#   make loadtest   Gatling simulations against SLUICE_URL (SIMULATION, GATLING_ARGS)
#   make bench      the fixed benchmark from a clean start, several minutes -> loadtest/target/bench/report.md
#                   (BENCH_STREAMS, BENCH_ARGS)
#   make chaos      fault scenarios under load (PostgreSQL killed, Redis stopped, upstream stalled/reset, slow bodies),
#                   a few minutes -> a table, also in loadtest/target/chaos/report.md (CHAOS_ARGS)
#   make cluster    3 instances behind HAProxy, PgBouncer (transaction mode), PostgreSQL, Redis primary + replica +
#                   3 Sentinels, all on 127.0.0.1 from CLUSTER_PORT (default 18400); prints the one URL (deploy/cluster)
#   make cluster-stop    stops exactly what make cluster started
#   make test-cluster    starts the cluster, runs the cluster checks through HAProxy, stops it; a table of what each saw
#   make help       this list
# Maven comes from ./mvnw (pinned in .mvn/wrapper, downloaded from Maven Central): only a JDK >= 21 is needed.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# A JDK >= 21: JAVA_HOME if it is one, else the newest under the usual JVM folders (25 preferred).
JAVA_HOME := $(shell \
  ok() { [ -x "$$1/bin/javac" ] && v=$$("$$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p') && [ "$${v%%.*}" -ge 21 ] 2>/dev/null; }; \
  if [ -n "$$JAVA_HOME" ] && ok "$$JAVA_HOME"; then echo "$$JAVA_HOME"; exit; fi; \
  for d in /usr/lib/jvm/*25* /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home /opt/java/* /opt/*jdk*; do \
    if ok "$$d"; then echo "$$d"; exit; fi; done)
export JAVA_HOME
export PATH := $(JAVA_HOME)/bin:$(PATH)
JAVA_FEATURE := $(shell [ -n "$(JAVA_HOME)" ] && "$(JAVA_HOME)/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p' | cut -d. -f1)
# Maven's Guice uses sun.misc.Unsafe: JDK 24+ warns unless allowed; JDK 21 does not know the option and would not start.
ifeq ($(shell [ "$(JAVA_FEATURE)" -ge 24 ] 2>/dev/null && echo yes),yes)
export MAVEN_OPTS ?= --sun-misc-unsafe-memory-access=allow
endif
MVN := ./mvnw -B -q

.PHONY: help run test build clean check-jdk chromium

help:
	@sed -n '/^#   make /,/^# Maven/{/^# Maven/d; s/^#   //p;}' $(firstword $(MAKEFILE_LIST))

check-jdk:
	@if [ -z "$(JAVA_HOME)" ]; then \
	  echo "error: no JDK 21 or newer found. Install one (e.g. Temurin 25) and set JAVA_HOME." >&2; exit 1; fi

build: check-jdk
	$(MVN) -DskipTests package

# JVM flags in one place (./jvm-options.sh), shared with loadtest/bench.sh and the container.
run: build
	java $$(./jvm-options.sh java) -jar server/target/sluice.jar

test: check-jdk chromium
	./mvnw -B package
	@$(MAKE) --no-print-directory alert-rules

# The Prometheus alert rules and their unit tests (deploy/prometheus). promtool comes with Debian's
# `prometheus` package: installed here when missing and running as root, else this step is skipped loudly.
# DPkg::Lock::Timeout: wait (bounded) for another apt run's lock instead of failing at once.
APT_GET := apt-get -o DPkg::Lock::Timeout=300
PROMTOOL_INSTALL := $(APT_GET) install -y --no-install-recommends prometheus
.PHONY: alert-rules
alert-rules:
	@if ! command -v promtool >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "promtool missing: $(PROMTOOL_INSTALL)"; \
	  export DEBIAN_FRONTEND=noninteractive; $(PROMTOOL_INSTALL) >/dev/null 2>&1 \
	    || { $(APT_GET) update -q >/dev/null && $(PROMTOOL_INSTALL) >/dev/null; } || echo "apt-get failed" >&2; fi
	@if command -v promtool >/dev/null 2>&1; then \
	  promtool check rules deploy/prometheus/alerts.yml && \
	  (cd deploy/prometheus && promtool test rules alerts_test.yml); \
	else \
	  echo "################################################################################"; \
	  echo "# SKIPPED: alert rule checks (deploy/prometheus/alerts.yml): promtool not found. #"; \
	  echo "# Install it with: sudo $(PROMTOOL_INSTALL)"; \
	  echo "################################################################################"; fi

# The /ops page's browser test needs Debian's chromium: installed here when missing and running as root;
# otherwise that one test is skipped with a message naming the command.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the /ops browser test"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    $(APT_GET) install -y -q --no-install-recommends chromium >/dev/null 2>&1 \
	      || { $(APT_GET) update -q >/dev/null && $(APT_GET) install -y -q --no-install-recommends chromium >/dev/null; } \
	      || echo "WARNING: could not install chromium: the /ops browser test will be skipped"; \
	  else \
	    echo "WARNING: chromium is missing: the /ops browser test will be skipped (as root: apt-get install -y --no-install-recommends chromium)"; \
	  fi; \
	fi

clean:
	./mvnw -B -q clean
	rm -rf logs

# --- Load tests (see loadtest/README.md) --------------------------------------------------------
# upstream [UPSTREAM_PORT=9090] [UPSTREAM_ARGS="--latency-ms=2000-30000 --tokens-per-second=30"]
# loadtest [SIMULATION=ChatStreaming] [SLUICE_URL=http://127.0.0.1:8080] [GATLING_ARGS="-Drate=20 -Dduration=2m"]
#   SIMULATION empty runs every simulation but Soak, one after another, and fails if any failed.
SLUICE_URL ?= http://127.0.0.1:8080
SIMULATION ?=
GATLING_ARGS ?=
UPSTREAM_PORT ?= 9090
UPSTREAM_ARGS ?=
UPSTREAM_JAVA_OPTS ?= -Xmx2g
LOADTEST_MVN := ./mvnw -B -f loadtest/pom.xml

.PHONY: upstream loadtest

upstream: check-jdk
	$(LOADTEST_MVN) -q -DskipTests package
	java $(UPSTREAM_JAVA_OPTS) -jar loadtest/target/sluice-loadtest.jar --port=$(UPSTREAM_PORT) $(UPSTREAM_ARGS)

loadtest: check-jdk
	@sim="$(SIMULATION)"; case "$$sim" in "") ;; *.*) ;; *) sim="io.sluice.loadtest.$$sim" ;; esac; \
	if [ -n "$$sim" ]; then select="-Dgatling.simulationClass=$$sim"; \
	else select="-Dgatling.runMultipleSimulations=true -Dgatling.continueOnAssertionFailure=true -Dgatling.excludes=io.sluice.loadtest.Soak"; fi; \
	mkdir -p loadtest/target/gatling; marker=$$(mktemp); \
	echo "$(LOADTEST_MVN) test-compile gatling:test $$select -Dsluice.url=$(SLUICE_URL) $(GATLING_ARGS)"; \
	$(LOADTEST_MVN) test-compile gatling:test $$select -Dsluice.url=$(SLUICE_URL) $(GATLING_ARGS); rc=$$?; \
	for d in $$(find loadtest/target/gatling -mindepth 1 -maxdepth 1 -type d -newer $$marker | sort); do \
	  [ -f "$$d/index.html" ] && echo "Gatling report: $(CURDIR)/$$d/index.html"; done; \
	rm -f $$marker; exit $$rc

# bench: the fixed benchmark (several minutes; not part of make test). Report: loadtest/target/bench/report.md
# BENCH_ARGS="--scenario=chat,light --seconds=3 --rss-seconds=10" BENCH_STREAMS=500 make bench: a short smoke run.
.PHONY: bench
bench: build
	$(LOADTEST_MVN) -q -DskipTests package
	JAVA_HOME=$(JAVA_HOME) loadtest/bench.sh

# chaos: long fault scenarios under load (not part of make test). Report: loadtest/target/chaos/report.md
# CHAOS_ARGS="--scenario=postgres-kill,redis-stop --fault-seconds=10" make chaos: a subset.
# cluster: see deploy/cluster/cluster.sh (ports, files under target/cluster, the packages it needs).
.PHONY: cluster cluster-stop test-cluster
cluster: build
	JAVA_HOME=$(JAVA_HOME) deploy/cluster/cluster.sh start

cluster-stop:
	deploy/cluster/cluster.sh stop

test-cluster: build
	JAVA_HOME=$(JAVA_HOME) deploy/cluster/test-cluster.sh

.PHONY: chaos
chaos: build
	$(LOADTEST_MVN) -q -DskipTests package
	JAVA_HOME=$(JAVA_HOME) loadtest/chaos.sh
