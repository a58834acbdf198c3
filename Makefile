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
MVN := mvn -B -q

.PHONY: run test build clean check-jdk

check-jdk:
	@if [ -z "$(JAVA_HOME)" ]; then \
	  echo "error: no JDK 21 or newer found. Install one (e.g. Temurin 25) and set JAVA_HOME." >&2; exit 1; fi
	@command -v mvn >/dev/null || { echo "error: Maven (mvn) is not on PATH." >&2; exit 1; }

build: check-jdk
	$(MVN) -DskipTests package

run: build
	java -XX:+UseZGC -jar server/target/sluice.jar

test: check-jdk
	mvn -B package

clean:
	mvn -B -q clean
	rm -rf logs
