package io.sluice.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.Json;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code GET /openapi}: the OpenAPI 3.1 description kept in the repository
 * ({@code server/src/main/resources/openapi.yaml}), as YAML by default and as JSON with
 * {@code Accept: application/json} or {@code ?format=json}. The YAML is read at start, the JSON made once at
 * the first request for it (OpenApiTest checks the document parses).
 */
public final class OpenApiService implements HttpService {
    public static final String RESOURCE = "/openapi.yaml";
    private static final Header YAML = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/yaml; charset=UTF-8");

    private final byte[] yaml;
    /** Made at the first JSON request: parsing the 75 KB YAML took 100-250 ms of a cold start. */
    private volatile byte[] json;

    public OpenApiService() {
        this.yaml = read();
    }

    private byte[] json() {
        byte[] j = json;
        if (j == null) {   // two first requests at once may both convert: same bytes, no harm
            try {
                j = Json.MAPPER.writeValueAsBytes(parse(new String(yaml, StandardCharsets.UTF_8)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("openapi.yaml cannot be written as JSON: " + e.getMessage(), e);
            }
            json = j;
        }
        return j;
    }

    /** The document as plain maps and lists (YAML 1.1 safe loading: no tags, no objects). */
    public static Map<String, Object> parse(String yamlText) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(yamlText);
    }

    private static byte[] read() {
        try (InputStream in = OpenApiService.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::document);
    }

    private void document(ServerRequest req, ServerResponse res) {
        if (wantsJson(req)) {
            res.header(HeaderValues.CONTENT_TYPE_JSON);
            res.send(json());
        } else {
            res.header(YAML);
            res.send(yaml);
        }
    }

    private static boolean wantsJson(ServerRequest req) {
        String format = req.query().first("format").orElse("");
        if (!format.isEmpty()) {
            return format.equalsIgnoreCase("json");
        }
        return req.headers().first(HeaderNames.ACCEPT)
                .map(a -> a.contains("application/json") && !a.contains("yaml"))
                .orElse(false);
    }
}
