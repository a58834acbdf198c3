package io.sluice.api;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.sluice.http.ErrorCode;
import io.sluice.http.Json;
import io.sluice.support.GatewayExtension;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The OpenAPI document ({@code /openapi}) against the running server: the same routes as the
 * routing was built with (both ways), the error catalogue in the error schema, and a real answer
 * of every documented route valid against the schema documented for its status.
 */
class OpenApiTest {
    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch", "head", "options", "trace");
    private static final String DOC = "server/src/main/resources/openapi.yaml";

    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension("fake", Map.of(
            "auth.enabled", "true",
            "auth.registration", "true",
            "llm.models.fake-model.route", "fake:upstream-model"));
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final Map<String, Schema> SCHEMAS = new HashMap<>();
    private static TestServer server;
    private static JsonNode doc;

    @BeforeAll
    static void load() {
        server = gateway.server();
        HttpResponse<String> r = server.get("/openapi?format=json");
        assertEquals(200, r.statusCode(), r.body());
        doc = TestServer.json(r);
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedRouteExists() {
        Set<String> routed = server.sluice().routes().routes().stream().map(RouteTable.Route::toString)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> documented = documentedRoutes();
        Set<String> undocumented = new TreeSet<>(routed);
        undocumented.removeAll(documented);
        Set<String> unrouted = new TreeSet<>(documented);
        unrouted.removeAll(routed);
        List<String> problems = new ArrayList<>();
        undocumented.forEach(r -> problems.add("routed but not documented in " + DOC + ": " + r));
        unrouted.forEach(r -> problems.add("documented in " + DOC + " but not routed by the server: " + r));
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(routed.contains("GET /v1/models") && routed.contains("GET /observe/health"), "the route table is filled: " + routed);
    }

    @Test
    void theErrorShapeListsEveryCodeOfTheCatalogue() {
        Set<String> documented = new TreeSet<>();
        doc.at("/components/schemas/ErrorCode/enum").forEach(c -> documented.add(c.asText()));
        Set<String> catalogue = Arrays.stream(ErrorCode.values()).map(ErrorCode::code).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(catalogue, documented, "components.schemas.ErrorCode.enum in " + DOC + " is the ErrorCode catalogue");
    }

    @Test
    void servedAsYamlByDefaultAndAsJsonOnRequest() throws IOException {
        HttpResponse<String> yaml = server.get("/openapi");
        assertEquals(200, yaml.statusCode());
        assertTrue(yaml.headers().firstValue("Content-Type").orElse("").startsWith("application/yaml"), yaml.headers().toString());
        assertEquals(Files.readString(Path.of(DOC)), yaml.body(), "the file as it is in the repository");
        HttpResponse<String> json = server.send(HttpRequest.newBuilder(server.uri("/openapi")).header("Accept", "application/json"));
        assertTrue(json.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals(doc, TestServer.json(json));
        assertEquals("3.1.0", doc.path("openapi").asText());
    }

    @Test
    void aRealAnswerOfEveryDocumentedRouteMatchesItsSchema() throws IOException {
        List<Samples.Sample> samples = new Samples(server).takeAll();
        // What each route answered, for whoever updates the document next.
        Files.writeString(Path.of("server/target/openapi-samples.txt"), samples.stream()
                .map(s -> s.route() + " -> " + s.response().statusCode() + " " + s.response().headers().firstValue("Content-Type").orElse("")
                          + "\n" + clip(s.response().body()) + "\n").collect(Collectors.joining("\n")));
        List<String> problems = new ArrayList<>();
        Set<String> sampled = samples.stream().map(Samples.Sample::route).collect(Collectors.toSet());
        for (String route : documentedRoutes()) {
            if (!sampled.contains(route)) {
                problems.add("no sample request for " + route + ": add one to io.sluice.api.Samples");
            }
        }
        for (Samples.Sample s : samples) {
            problems.addAll(check(s));
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static List<String> check(Samples.Sample s) throws IOException {
        HttpResponse<String> r = s.response();
        String where = s.route() + " -> " + r.statusCode();
        JsonNode op = pathItem(s.template()).path(s.method().toLowerCase());
        if (op.isMissingNode()) {
            return List.of(where + ": not in the document");
        }
        JsonNode answer = op.path("responses").path(String.valueOf(r.statusCode()));
        if (answer.isMissingNode()) {
            return List.of(where + ": status not documented; body " + clip(r.body()));
        }
        if (answer.has("$ref")) {
            answer = doc.at(answer.get("$ref").asText().substring(1));
        }
        String type = r.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
        JsonNode content = answer.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            return r.body().isEmpty() ? List.of() : List.of(where + ": documented without a body, got " + clip(r.body()));
        }
        JsonNode media = content.path(type);
        if (media.isMissingNode()) {
            return List.of(where + ": content type " + type + " not documented (documented: " + content + ")");
        }
        String instance = switch (type) {
            case "application/json" -> r.body();
            case "application/yaml" -> Json.MAPPER.writeValueAsString(OpenApiService.parse(r.body()));
            default -> Json.MAPPER.writeValueAsString(r.body());   // text: checked as a JSON string
        };
        var errors = schema(media.path("schema")).validate(instance, InputFormat.JSON);
        return errors.stream().map(e -> where + ": " + e.getMessage() + " in " + clip(r.body())).toList();
    }

    /** The schema as the root of a copy of the document, so its references into components resolve; one per schema. */
    private static Schema schema(JsonNode target) {
        return SCHEMAS.computeIfAbsent(target.toString(), k -> {
            ObjectNode root = doc.deepCopy();
            root.putObject("$defs").set("target", target);
            root.put("$ref", "#/$defs/target");
            return REGISTRY.getSchema(root.toString(), InputFormat.JSON);
        });
    }

    private static Set<String> documentedRoutes() {
        Set<String> routes = new TreeSet<>();
        doc.path("paths").fieldNames().forEachRemaining(path -> pathItem(path).fieldNames().forEachRemaining(m -> {
            if (METHODS.contains(m)) {
                routes.add(m.toUpperCase() + " " + path);
            }
        }));
        return routes;
    }

    /** The path item of a template, following a reference to components.pathItems. */
    private static JsonNode pathItem(String template) {
        JsonNode item = doc.path("paths").path(template);
        return item.has("$ref") ? doc.at(item.get("$ref").asText().substring(1)) : item;
    }

    private static String clip(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
