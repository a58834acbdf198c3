package io.sluice;

import java.lang.management.ManagementFactory;

import com.sun.management.UnixOperatingSystemMXBean;
import io.sluice.fileproxy.FileProxySettings;
import io.sluice.llm.LlmSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the connection limits inside the process's open-file limit ({@code ulimit -n}). Every client
 * connection, upstream LLM connection and file-origin connection is a file descriptor. When accept()
 * meets the limit ("Too many open files"), Helidon closes the listening socket for good: the server
 * stays up but deaf. An upstream connect that meets it fails the call (502). Measured: 10,000 held
 * streams under a 12,000 limit lost the listener and 9,814 streams.
 *
 * <p>So at start-up the limits are lowered to fit: after a reserve (jars, logs, pipes, the database and
 * Redis pools, the idle keep-alive pools), upstream connections in use (LLM plus file origins, when
 * origins are configured) get at most half of what is left, client connections the rest. A WARN
 * names each lowered key and the limit that would allow the configured values. A client connection
 * above {@code server.max-tcp-connections} is not refused: Helidon takes its connection permit before
 * accept(), so the connection waits in the kernel's listen backlog until another one closes.
 */
final class OpenFileBudget {
    private static final Logger LOG = LoggerFactory.getLogger(OpenFileBudget.class);
    /** Descriptors besides the pools and connections: jars (each open twice), log files, pipes, epoll, files being served. */
    static final int BASE_RESERVE = 512;
    /** Fewer client connections than this is no server: refuse to start instead. */
    static final int MIN_CLIENT_CONNECTIONS = 16;

    /** Limits that fit {@code limit}: client connections, LLM connections in use, origin connections in use. */
    record Plan(int clients, int llm, int files) {
    }

    private OpenFileBudget() {
    }

    /**
     * @param limit   the open-file limit; 0 or less when unknown (then nothing changes)
     * @param reserve descriptors kept for everything but connections in use
     * @param files   origin connections in use, 0 when no file origin is configured
     */
    static Plan plan(long limit, int reserve, int clients, int llm, int files) {
        if (limit <= 0) {
            return new Plan(clients, llm, files);
        }
        long avail = limit - reserve;
        long upstream = (long) llm + files;
        int llmFit = llm;
        int filesFit = files;
        long half = Math.max(0, avail / 2);
        if (upstream > half) {   // in proportion to the configured values
            llmFit = (int) Math.max(1, llm * half / upstream);
            filesFit = files == 0 ? 0 : (int) Math.max(1, files * half / upstream);
        }
        long clientsFit = Math.min(clients, avail - llmFit - filesFit);
        if (clientsFit < MIN_CLIENT_CONNECTIONS) {
            throw new IllegalStateException("the open-file limit " + limit + " (ulimit -n) is too low: Sluice needs "
                    + (reserve + llmFit + filesFit + MIN_CLIENT_CONNECTIONS) + " or more (" + reserve + " for pools, logs and jars, "
                    + "plus upstream and client connections); raise it (ulimit -n, systemd LimitNOFILE, the container's nofile)");
        }
        return new Plan((int) clientsFit, llmFit, filesFit);
    }

    /** {@code s} with its connection limits lowered to fit {@code limit}, each lowered key named in a WARN. */
    static Settings fit(Settings s, long limit) {
        LlmSettings.Upstream u = s.llm().upstream();
        FileProxySettings fp = s.fileProxy();
        int files = fp.origins().isEmpty() ? 0 : fp.maxConnections();
        int reserve = BASE_RESERVE + s.database().maxPoolSize() + s.redis().maxTotal()
                      + s.llm().providers().size() * Math.min(u.maxIdleConnectionsPerProvider(), u.maxConnectionsPerProvider())
                      + fp.origins().size() * fp.maxIdleConnectionsPerOrigin();
        int clients = s.http().maxTcpConnections();
        Plan p = plan(limit, reserve, clients, u.maxConnections(), files);
        if (p.clients() == clients && p.llm() == u.maxConnections() && p.files() == files) {
            return s;
        }
        StringBuilder lowered = new StringBuilder();
        lowered(lowered, "server.max-tcp-connections", clients, p.clients());
        lowered(lowered, "llm.upstream.max-connections", u.maxConnections(), p.llm());
        lowered(lowered, "fileproxy.max-connections", files, p.files());
        LOG.warn("the open-file limit {} (ulimit -n) cannot hold the configured connection limits; lowered {} ({} kept for pools, "
                 + "logs and jars). To use the configured values raise the limit to {} (ulimit -n, systemd LimitNOFILE, the "
                 + "container's nofile)", limit, lowered, reserve, (long) reserve + clients + u.maxConnections() + files);
        return s.withConnectionLimits(s.http().withMaxTcpConnections(p.clients()),
                                      p.llm() == u.maxConnections() ? s.llm() : s.llm().withMaxConnections(p.llm()),
                                      p.files() == files ? fp : fp.withMaxConnections(p.files()));
    }

    private static void lowered(StringBuilder sb, String key, int configured, int fit) {
        if (fit != configured) {
            sb.append(sb.isEmpty() ? "" : ", ").append(key).append(' ').append(configured).append(" -> ").append(fit);
        }
    }

    /** This process's open-file limit (the JVM raises the soft limit to the hard one at start); -1 when unknown. */
    static long processLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
               ? unix.getMaxFileDescriptorCount() : -1;
    }
}
