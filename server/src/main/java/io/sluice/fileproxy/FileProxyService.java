package io.sluice.fileproxy;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/** {@code GET} and {@code HEAD /files/{origin}/{path...}}; register under {@code /files}. */
public final class FileProxyService implements HttpService {
    private final FileProxy proxy;

    public FileProxyService(FileProxy proxy) {
        this.proxy = proxy;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/{origin}/{+path}", proxy::serve)
             .head("/{origin}/{+path}", proxy::serve);
    }
}
