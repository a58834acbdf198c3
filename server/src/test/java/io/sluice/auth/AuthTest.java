package io.sluice.auth;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.Users;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.sluice.support.Users.get;
import static io.sluice.support.Users.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Login, verify, logout across two instances sharing Redis; bad tokens and keys; the password policy. */
class AuthTest {
    private static final String SECRET = "auth-test-secret-0123456789abcdefghijklmnop";
    private static TestServer a;
    private static TestServer b;

    @BeforeAll
    static void start() {
        a = TestServer.start(Map.of("auth.enabled", "true", "auth.registration", "true", "auth.jwt-secret", SECRET));
        b = TestServer.start(Map.of("auth.enabled", "true", "auth.registration", "true", "auth.jwt-secret", SECRET,
                                    "auth.login-attempts", "4"));
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
    }

    @Test
    void loginVerifyLogoutAcrossInstances() {
        String user = Users.fresh("alice");
        String token = Users.registerAndLogin(a, user);
        JsonNode v = TestServer.json(get(a, "/api/auth/verify", token));
        assertTrue(v.path("valid").asBoolean());
        assertEquals(user, v.path("user").path("username").asText());
        assertEquals("jwt", v.path("auth").asText());
        assertEquals(200, get(b, "/api/auth/verify", token).statusCode(), "the other instance accepts the token");

        assertEquals(200, post(a, "/api/auth/logout", token, "{}").statusCode());
        HttpResponse<String> after = get(a, "/api/auth/verify", token);
        assertEquals(401, after.statusCode());
        assertEquals("authentication_error", TestServer.json(after).path("error").path("type").asText());
        assertEquals(401, get(b, "/api/auth/verify", token).statusCode(), "revocation is shared through Redis");
        assertEquals(200, get(b, "/api/auth/verify", Users.login(b, user, Users.PASSWORD)).statusCode(), "a new login works");
    }

    @Test
    void badTokensAndKeysAre401() {
        String user = Users.fresh("bob");
        String token = Users.registerAndLogin(a, user);
        String[] parts = token.split("\\.");
        Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);

        String expired = new Jwt(SECRET, Duration.ofSeconds(-5), Clock.systemUTC()).issue("x", user, "user");
        String tampered = parts[0] + "." + enc.encodeToString(payload.replace("\"user\"", "\"admin\"")
                                                                     .getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        String none = enc.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".";
        String noneSigned = enc.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + "." + parts[2];
        String rs256 = enc.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + "." + parts[2];
        String wrongKey = new Jwt("another-secret-0123456789abcdefghijklmnopq", Duration.ofHours(1), Clock.systemUTC())
                .issue("x", user, "admin");
        for (String bad : new String[] {expired, tampered, none, noneSigned, rs256, wrongKey, "garbage", "a.b.c",
                                        ApiKeys.PREFIX + "0123456789ab_nottherealsecret", ApiKeys.PREFIX + "zz"}) {
            HttpResponse<String> r = get(a, "/api/auth/verify", bad);
            assertEquals(401, r.statusCode(), bad + " -> " + r.body());
            assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        }
        assertEquals(401, a.get("/v1/models").statusCode(), "no credentials");
        assertEquals(401, a.send(HttpRequest.newBuilder(a.uri("/v1/models")).header("Authorization", "Basic YTpi").GET())
                .statusCode());
        assertEquals(200, a.get("/health").statusCode(), "health never needs auth");
        assertEquals(200, a.get("/observe/health/ready").statusCode());
        assertEquals(200, a.get("/metrics").statusCode());
    }

    @Test
    void overflowingClaimsInAValidlySignedTokenAre401WithJson() throws Exception {
        String user = Users.fresh("claims");
        String token = Users.registerAndLogin(a, user);
        String id = TestServer.json(get(a, "/api/auth/verify", token)).at("/user/id").asText();
        String jti = "\"jti\":\"" + java.util.UUID.randomUUID() + "\"";
        String sub = "\"sub\":\"" + id + "\"";
        String[] payloads = {
            "{" + sub + "," + jti + ",\"exp\":9223372036854775807}",
            "{" + sub + "," + jti + ",\"exp\":-9223372036854775808}",
            "{" + sub + "," + jti + ",\"exp\":99999999999999999999999999999}",
            "{" + sub + "," + jti + ",\"exp\":1e300}",
            "{" + sub + "," + jti + ",\"exp\":\"4102444800\"}",
            "{" + sub + "," + jti + ",\"exp\":4102444800,\"iat\":99999999999999999999999999999}",
            "{" + sub + "," + jti + ",\"exp\":4102444800,\"iat\":-9223372036854775808}",
            "{\"sub\":99999999999999999999999999999," + jti + ",\"exp\":4102444800}",
            "{\"sub\":\"99999999999999999999999999999\"," + jti + ",\"exp\":4102444800}",
            "{\"sub\":\"ffffffffffffffffffff-1-1-1-1\"," + jti + ",\"exp\":4102444800}",
            "{" + sub + ",\"jti\":1e400,\"exp\":4102444800}",
        };
        for (String payload : payloads) {
            HttpResponse<String> r = get(a, "/api/auth/verify", sign(payload));
            assertEquals(401, r.statusCode(), payload + " -> " + r.body());
            assertEquals("invalid_api_key", TestServer.json(r).at("/error/code").asText(), payload);
        }
        assertEquals(200, get(a, "/api/auth/verify", sign("{" + sub + "," + jti + ",\"exp\":4102444800}")).statusCode(),
                     "the same shape with sane numbers is accepted (the signing here is right)");
    }

    /** A token over any payload, signed with the servers' secret as Jwt does. */
    private static String sign(String payloadJson) throws Exception {
        Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
        String input = enc.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                       + enc.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return input + "." + enc.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void apiKeysAreShownOnceAndOwned() {
        String alice = Users.registerAndLogin(a, Users.fresh("keys-a"));
        String bob = Users.registerAndLogin(a, Users.fresh("keys-b"));
        HttpResponse<String> created = post(a, "/api/keys", alice, "{\"name\":\"sdk\"}");
        assertEquals(201, created.statusCode(), created.body());
        String key = TestServer.json(created).path("key").asText();
        String id = TestServer.json(created).path("id").asText();
        assertTrue(key.startsWith(ApiKeys.PREFIX));

        assertEquals(200, get(b, "/v1/models", key).statusCode(), "an API key works as Bearer, on any instance");
        assertEquals("api_key", TestServer.json(get(a, "/api/auth/verify", key)).path("auth").asText());
        String list = get(a, "/api/keys", alice).body();
        assertTrue(list.contains(id) && !list.contains(key), "the list never shows the key itself");
        assertFalse(get(a, "/api/keys", bob).body().contains(id));

        assertEquals(404, Users.delete(a, "/api/keys/" + id, bob).statusCode(), "another user's key is not found");
        assertEquals(200, get(a, "/v1/models", key).statusCode());
        assertEquals(200, Users.delete(a, "/api/keys/" + id, alice).statusCode());
        assertEquals(401, get(a, "/v1/models", key).statusCode(), "a revoked key is refused");
    }

    @Test
    void passwordPolicyAndLoginLimit() {
        String user = Users.fresh("carol");
        assertEquals(400, a.postJson("/api/auth/register", "{\"username\":\"" + user + "\",\"password\":\"short\"}").statusCode());
        HttpResponse<String> common = a.postJson("/api/auth/register", "{\"username\":\"" + user + "\",\"password\":\"password123\"}");
        assertEquals(400, common.statusCode());
        assertEquals("weak_password", TestServer.json(common).path("error").path("code").asText());
        Users.registerAndLogin(b, user);   // one login of the allowed 4 (per account from this address)

        int[] statuses = new int[4];
        for (int i = 0; i < statuses.length; i++) {
            statuses[i] = b.postJson("/api/auth/login", "{\"username\":\"" + user + "\",\"password\":\"wrong-password-1\"}")
                    .statusCode();
        }
        assertEquals(401, statuses[0]);
        assertEquals(429, statuses[3], "login attempts are limited");
        HttpResponse<String> limited = b.postJson("/api/auth/login",
                "{\"username\":\"" + user + "\",\"password\":\"" + Users.PASSWORD + "\"}");
        assertEquals(429, limited.statusCode());
        assertTrue(limited.headers().firstValue("Retry-After").isPresent());
    }
}
