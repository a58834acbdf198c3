package io.sluice.audio;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Fields;
import io.sluice.http.Json;
import io.sluice.http.ReceivedBody;
import io.sluice.http.Text;

/**
 * OpenAI's {@code POST /v1/audio/speech} (JSON in, the audio streamed out chunked as it is rendered)
 * and {@code POST /v1/audio/transcriptions} (a multipart upload in, the transcript out). Auth,
 * rate limits and admission are the filters'; the bulkheads and timeouts are {@link Speech}'s and
 * {@link Transcription}'s.
 */
public final class AudioService implements HttpService {
    private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(-[A-Za-z]{2,4})?");

    private final Speech speech;
    private final Transcription transcription;

    public AudioService(Audio audio) {
        this.speech = audio.speech();
        this.transcription = audio.transcription();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/speech", this::speech)
             .post("/transcriptions", this::transcribe);
    }

    private void speech(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.readObject(req);
        String model = Fields.requiredText(body, "model", 128);
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            throw ApiException.badRequest(ErrorCode.MISSING_FIELD, "input: required, the text to speak");
        }
        if (!input.isTextual()) {
            throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, "input: must be a string");
        }
        String voice = Fields.requiredText(body, "voice", 64);
        String format = Fields.optionalText(body, "response_format", 16);
        if (format == null) {   // OpenAI's default is mp3; a model that cannot speak it answers in its first format
            List<String> formats = speech.formats(model);
            format = formats.contains("mp3") ? "mp3" : formats.getFirst();
        }
        double speed = speed(body.get("speed"));
        speech.speak(model, voice, input.asText(), speed, format.toLowerCase(Locale.ROOT), new ClientSink(res));
    }

    private static double speed(JsonNode n) {
        if (n == null || n.isNull()) {
            return 1.0;
        }
        if (!n.isNumber()) {
            throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, "speed: must be a number from 0.25 to 4.0");
        }
        return n.asDouble();
    }

    private void transcribe(ServerRequest req, ServerResponse res) {
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        String boundary = Multipart.boundary(type).orElseThrow(() -> new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "Content-Type must be multipart/form-data with a boundary" + (type.isEmpty() ? "" : ", not " + Text.clip(type, 100))));
        byte[] body = req.context().get(ReceivedBody.class).map(ReceivedBody::bytes).orElse(new byte[0]);
        if (body.length > transcription.maxUploadSize()) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the upload is " + body.length + " bytes; at most "
                    + transcription.maxUploadSize() + " (audio.max-upload-size)");
        }
        Form form = Form.of(Multipart.parse(body, boundary));
        Multipart.Part file = form.part("file");
        if (file == null) {
            throw ApiException.badRequest(ErrorCode.MISSING_FIELD, "file: required, the audio to transcribe");
        }
        String model = form.text("model", 128);
        if (model == null) {
            throw ApiException.badRequest(ErrorCode.MISSING_FIELD, "model: required");
        }
        if (file.contentType() != null && !audio(file.contentType())) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "file: an audio file is expected (audio/*), not "
                    + Text.clip(file.contentType(), 100));
        }
        if (file.data().length == 0) {
            throw ApiException.badRequest(ErrorCode.INVALID_AUDIO, "file: empty");
        }
        String language = form.text("language", 16);
        if (language != null && !LANGUAGE.matcher(language).matches()) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, "language: an ISO-639-1 code such as en");
        }
        String format = form.text("response_format", 16);
        format = format == null ? "json" : format.toLowerCase(Locale.ROOT);
        if (!Transcripts.FORMATS.contains(format)) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, "response_format: '" + Text.clip(format, 16)
                    + "' is not supported; supported: " + String.join(", ", Transcripts.FORMATS));
        }
        transcription.require(model);
        AudioProvider.Transcript t = transcription.transcribe(model, file, language, format);
        res.header(HeaderNames.CONTENT_TYPE, t.contentType());
        res.send(t.body());
    }

    private static boolean audio(String contentType) {
        String t = contentType.toLowerCase(Locale.ROOT);
        return t.startsWith("audio/") || t.startsWith("application/octet-stream") || t.startsWith("video/");
    }

    /** The audio as a chunked response: headers go out with the first bytes, each chunk flushed as it comes. */
    private static final class ClientSink implements AudioSink {
        private final ServerResponse res;
        private OutputStream out;

        ClientSink(ServerResponse res) {
            this.res = res;
        }

        @Override
        public void start(String contentType) {
            res.header(HeaderNames.CONTENT_TYPE, contentType);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            try {
                if (out == null) {
                    out = res.outputStream();
                }
                out.write(bytes, offset, length);
                out.flush();
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new Router.ClientGone(e);
            }
        }
    }
}
