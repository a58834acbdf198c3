package io.sluice.audio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Json;
import io.sluice.http.Text;

/**
 * An OpenAI-compatible audio upstream: {@code POST {base-url}/audio/speech} (JSON in, audio out,
 * relayed as it arrives) and {@code POST {base-url}/audio/transcriptions} (multipart in, the
 * transcript out as is), with the key as a Bearer header as for chat. The socket timeouts are a
 * backstop; {@link CallTimeout} bounds each call as a whole.
 */
final class OpenAiCompatibleAudio implements AudioProvider, AutoCloseable {
    private static final int MAX_TRANSCRIPT = 16 << 20;
    private static final int CHUNK = 16 << 10;

    private final AudioSettings.Provider settings;
    private final String speechUrl;
    private final String transcriptionUrl;
    private final WebClient client;

    OpenAiCompatibleAudio(AudioSettings.Provider settings, Duration connectTimeout, Duration readTimeout) {
        this.settings = settings;
        this.speechUrl = settings.baseUrl() + "/audio/speech";
        this.transcriptionUrl = settings.baseUrl() + "/audio/transcriptions";
        this.client = WebClient.builder()
                .socketOptions(SocketOptions.builder().tcpNoDelay(true).connectTimeout(connectTimeout).readTimeout(readTimeout).build())
                .connectTimeout(connectTimeout)
                .readTimeout(readTimeout)
                .keepAlive(true)
                .followRedirects(false)
                .sendExpectContinue(false)
                .shareConnectionCache(false)
                .build();
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public boolean simulated() {
        return false;
    }

    @Override
    public boolean speaks(String format) {
        return settings.formats().contains(format);
    }

    @Override
    public void speak(SpeechRequest r, AudioSink sink) throws IOException, InterruptedException {
        ObjectNode body = Json.MAPPER.createObjectNode()
                .put("model", r.upstreamModel()).put("input", r.text()).put("voice", r.voice())
                .put("response_format", r.format()).put("speed", r.speed());
        HttpClientRequest request = authorized(client.post(speechUrl)).header(HeaderValues.CONTENT_TYPE_JSON);
        HttpClientResponse res;
        try {
            res = request.submit(Json.bytes(body));
        } catch (RuntimeException e) {
            throw Upstream.failure(name(), e);
        }
        try (res) {
            check(res);
            sink.start(res.headers().contentType().map(t -> t.mediaType().text()).orElse(Formats.contentType(r.format())));
            InputStream in = res.inputStream();
            byte[] buf = new byte[CHUNK];
            for (int n; (n = read(in, buf)) > 0; ) {
                sink.write(buf, 0, n);
            }
        }
    }

    /** A read of the upstream's audio; its failures are the upstream's (a client write failing is the sink's). */
    private int read(InputStream in, byte[] buf) throws InterruptedException {
        try {
            return in.read(buf);
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("upstream read interrupted");
            }
            throw Upstream.failure(name(), e);
        }
    }

    @Override
    public Transcript transcribe(TranscriptionRequest r) throws InterruptedException {
        String boundary = "sluice-" + UUID.randomUUID();
        ByteArrayOutputStream form = new ByteArrayOutputStream(r.file().data().length + 1024);
        field(form, boundary, "model", r.upstreamModel());
        field(form, boundary, "response_format", r.format());
        if (r.language() != null) {
            field(form, boundary, "language", r.language());
        }
        String filename = r.file().filename() == null ? "audio.wav" : r.file().filename().replace("\"", "");
        String type = r.file().contentType() == null ? "application/octet-stream" : r.file().contentType();
        form.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                         + "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        form.writeBytes(r.file().data());
        form.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpClientRequest request = authorized(client.post(transcriptionUrl))
                .header(HeaderNames.CONTENT_TYPE, "multipart/form-data; boundary=" + boundary);
        try (HttpClientResponse res = request.submit(form.toByteArray())) {
            check(res);
            byte[] body = res.inputStream().readNBytes(MAX_TRANSCRIPT + 1);
            if (body.length > MAX_TRANSCRIPT) {
                throw new ApiException(ErrorCode.UPSTREAM_INVALID_RESPONSE, "audio provider " + name() + " sent a transcript over 16 MB");
            }
            String contentType = res.headers().contentType().map(t -> t.mediaType().text())
                    .orElse(r.format().equals("text") ? "text/plain" : "application/json");
            return new Transcript(body, contentType, -1);
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException a) {
                throw a;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("upstream call interrupted");
            }
            throw Upstream.failure(name(), e);
        }
    }

    private HttpClientRequest authorized(HttpClientRequest request) {
        if (!settings.apiKey().isEmpty()) {
            request.header(HeaderNames.AUTHORIZATION, "Bearer " + settings.apiKey());
        }
        return request;
    }

    private void check(HttpClientResponse res) {
        int status = res.status().code();
        if (status != 200) {
            throw Upstream.status(name(), status, detail(res));
        }
    }

    private static void field(ByteArrayOutputStream form, String boundary, String name, String value) {
        form.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")
                                .getBytes(StandardCharsets.UTF_8));
    }

    /** OpenAI's error message from a failed answer, short and printable; never the whole body. */
    private static String detail(HttpClientResponse res) {
        try {
            JsonNode json = Json.MAPPER.readTree(res.inputStream().readNBytes(8192));
            return Text.clip(json.path("error").path("message").asText(json.path("message").asText("")), 300);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    @Override
    public void close() {
        client.closeResource();
    }
}
