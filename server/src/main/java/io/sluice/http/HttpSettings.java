package io.sluice.http;

import io.sluice.config.ConfigReader;

/** The few {@code server:} settings Sluice itself needs; Helidon reads the rest of the section directly. */
public record HttpSettings(String host, int port, long maxPayloadSize, int maxTcpConnections) {

    public static HttpSettings from(ConfigReader c) {
        return new HttpSettings(c.string("server.host"),
                                c.intAtLeast("server.port", 0),
                                c.intAtLeast("server.max-payload-size", 1),
                                c.intAtLeast("server.max-tcp-connections", 1));
    }

    public HttpSettings withMaxTcpConnections(int n) {
        return new HttpSettings(host, port, maxPayloadSize, n);
    }
}
