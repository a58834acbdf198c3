#!/bin/sh
# Sluice's JVM flags, in one place: `make run`, loadtest/bench.sh and a container entrypoint all run
#   java $(./jvm-options.sh JAVA) -jar server/target/sluice.jar
# Prints the flags for the given java (default: java on PATH). Settings people change:
#   SLUICE_HEAP  the heap bound (-Xmx), default 768m. Without a bound the JVM takes 1/4 of the machine:
#                one minute of chat load held 5.3 GB RSS on a 23 GB box. Why 768m and not 512m: a held
#                stream costs 63-75 KB of live heap (class histogram at 3,850 held streams: 243-285 MB
#                live; per stream three 8 KB socket buffers and a 4 KB write buffer in Helidon, ~13 KB of
#                parked virtual-thread stacks for the request and upstream threads, headers, the SSE
#                reader). The benchmark's 10,000 streams over a 10 s ramp hold ~5,200 at once: ~400 MB
#                live, which ended a 512m heap with OutOfMemoryError; 768m leaves G1 its headroom.
#   SLUICE_GC    the collector flag, default -XX:+UseG1GC, chosen by measurement (below).
#   SLUICE_CDS   1 (default) = a class-data-sharing archive under data/, created on the first run and
#                reused after; 0 = none.
#   SLUICE_JVM_OPTS  anything else, appended last (so it wins).
#
# The measurement (2026-11-23, 2 cores shared with other builds, load average 10-16, so noisy; Temurin 25,
# -Xmx512m, compact headers, lean path: non-streamed chat to a 0-latency simulator, hey -c 50 -z 15s
# after a 5 s warm-up; two rounds, req/s and RSS after the run):
#   ZGC (generational)  209 / 283 req/s   RSS 553 / 631 MB   (over the 600 MB budget at a 512 MB heap)
#   G1                  352 / 400 req/s   RSS 278 / 294 MB
#   Serial              359 / 449 req/s   RSS 305 / 308 MB
#   Parallel            515 / 407 req/s   RSS 327 / 353 MB
# G1, Serial and Parallel are level within the noise; G1 held the least memory and keeps pauses short
# when the heap is raised, ZGC doubled RSS for less throughput. CDS archive, start to ready with
# embedded PostgreSQL and Redis (same runs): 9.3 s and 9.3 s with it, 34.1 s and 15.4 s without.
java=${1:-java}
feature=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
feature=${feature%%.*}
opts="-Xmx${SLUICE_HEAP:-768m} ${SLUICE_GC:--XX:+UseG1GC}"
# A heap that failed once stays suspect: exit and let the supervisor restart it rather than limp on.
opts="$opts -XX:+ExitOnOutOfMemoryError"
# Compact object headers (8 instead of 12 bytes per object) are a product flag from JDK 25 (JEP 519);
# JDK 21 does not know the flag and would refuse to start.
if [ "${feature:-0}" -ge 25 ] 2>/dev/null; then
  opts="$opts -XX:+UseCompactObjectHeaders"
fi
if [ "${SLUICE_CDS:-1}" = 1 ] && [ "${feature:-0}" -ge 19 ] 2>/dev/null; then
  # Written at the first clean exit (make run's Ctrl-C counts), reused while the jar is the same;
  # a stale or foreign archive is ignored and rewritten. The -Xshare:auto default never fails start-up.
  # The name carries the jar's checksum: the JVM ignores an archive made for another build of the jar
  # ("shared class paths mismatch") but, measured, does not rewrite it, so every start after a rebuild
  # ran without CDS (3.6 s instead of 2.8 s to ready). The JVM also checks the jar's modification time
  # ("timestamp has changed"): a copied or touched jar with the same bytes silently ran without the archive,
  # so the name carries the jar's mtime and size too (stat: GNU -c, BSD/macOS -f). Archives of other builds
  # are removed.
  dir=${SLUICE_CDS_DIR:-data}
  jar=${SLUICE_JAR:-$(dirname "$0")/server/target/sluice.jar}
  stamp=$(cksum < "$jar" 2>/dev/null | cut -d' ' -f1)
  mtime=$(stat -c %Y-%s "$jar" 2>/dev/null || stat -f %m-%z "$jar" 2>/dev/null)
  name="sluice-jdk$feature-${stamp:-0}-${mtime:-0}.jsa"
  mkdir -p "$dir" 2>/dev/null
  find "$dir" -maxdepth 1 -name 'sluice-jdk*.jsa' ! -name "$name" -delete 2>/dev/null
  opts="$opts -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$dir/$name"
fi
echo "$opts ${SLUICE_JVM_OPTS:-}"
