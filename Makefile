# Sluice: make run · make test · make clean   (see README.md)
SHELL := /bin/bash

# A JDK >= 21: JAVA_HOME if it is one, else the newest under the usual JVM folders (25 preferred).
JAVA_HOME := $(shell \
  ok() { [ -x "$$1/bin/javac" ] && v=$$("$$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p') && [ "$${v%%.*}" -ge 21 ] 2>/dev/null; }; \
  if [ -n "$$JAVA_HOME" ] && ok "$$JAVA_HOME"; then echo "$$JAVA_HOME"; exit; fi; \
  for d in /usr/lib/jvm/*25* /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home /opt/java/* /opt/*jdk*; do \
    if ok "$$d"; then echo "$$d"; exit; fi; done)
export JAVA_HOME
export PATH := $(JAVA_HOME)/bin:$(PATH)
export MAVEN_OPTS ?= --sun-misc-unsafe-memory-access=allow
MVN := ./mvnw -B -q

.PHONY: run test build clean check-jdk

check-jdk:
	@if [ -z "$(JAVA_HOME)" ]; then \
	  echo "error: no JDK 21 or newer found. Install one (e.g. Temurin 25) and set JAVA_HOME." >&2; exit 1; fi

build: check-jdk
	$(MVN) -DskipTests package

run: build
	java -XX:+UseZGC -jar server/target/sluice.jar

test: check-jdk
	./mvnw -B package

clean:
	./mvnw -B -q clean
	rm -rf logs

# --- Load tests (see loadtest/README.md) --------------------------------------------------------
# make upstream [UPSTREAM_PORT=9090] [UPSTREAM_ARGS="--latency-ms=2000-30000 --tokens-per-second=30"]
# make loadtest [SIMULATION=ChatStreaming] [SLUICE_URL=http://127.0.0.1:8080] [GATLING_ARGS="-Drate=20 -Dduration=2m"]
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

# make bench: the fixed benchmark (several minutes; not part of make test). Report: loadtest/target/bench/report.md
.PHONY: bench
bench: build
	$(LOADTEST_MVN) -q -DskipTests package
	JAVA_HOME=$(JAVA_HOME) loadtest/bench.sh
