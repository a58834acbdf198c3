package io.sluice.llm;

/**
 * Whether the JVM is told to use a proxy for outgoing HTTP: the standard networking properties
 * ({@code http.proxyHost}, {@code https.proxyHost}, {@code socksProxyHost}) or
 * {@code java.net.useSystemProxies=true}. Without any of them the JVM's ProxySelector answers
 * "direct" for every address, so an upstream client need not ask it per request.
 */
final class SystemProxy {
    private SystemProxy() {
    }

    static boolean configured() {
        for (String key : new String[] {"http.proxyHost", "https.proxyHost", "socksProxyHost"}) {
            String host = System.getProperty(key);
            if (host != null && !host.isBlank()) {
                return true;
            }
        }
        return Boolean.getBoolean("java.net.useSystemProxies");
    }
}
