package io.sluice.podcasts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.ApiException;
import io.sluice.http.ByteRange;
import io.sluice.http.ErrorCode;

/**
 * A finished podcast's WAV file, for players that seek: {@code Accept-Ranges}, a single {@code Range}
 * (206, or 416 with {@code Content-Range: bytes *}/length), {@code If-Range}, a strong {@code ETag}
 * with {@code If-None-Match} (304), {@code Content-Length}, and HEAD. The file is copied through one
 * small buffer, so memory stays flat whatever its size.
 */
final class AudioResponse {
    private static final int BUFFER = 64 * 1024;

    private AudioResponse() {
    }

    static void send(Podcast p, Path file, ServerRequest req, ServerResponse res) {
        if (!Files.isRegularFile(file)) {   // checked before any header is set: the error answer is a plain 404
            throw ApiException.notFound(ErrorCode.PODCAST_NOT_FOUND, "the audio file of podcast " + p.id() + " is gone");
        }
        long length = p.audioBytes();
        String etag = p.etag();
        res.header(HeaderNames.ACCEPT_RANGES, "bytes");
        res.header(HeaderNames.ETAG, etag);
        res.header(HeaderNames.CACHE_CONTROL, "private, max-age=86400");
        if (req.headers().first(HeaderNames.IF_NONE_MATCH).map(v -> matches(v, etag)).orElse(false)) {
            res.status(Status.NOT_MODIFIED_304);
            res.send();
            return;
        }
        String range = req.headers().first(HeaderNames.RANGE).orElse(null);
        String ifRange = req.headers().first(HeaderNames.IF_RANGE).orElse(null);
        ByteRange r = ifRange == null || ifRange.strip().equals(etag) ? ByteRange.parse(range, length) : null;
        if (r == ByteRange.UNSATISFIABLE) {
            res.status(Status.REQUESTED_RANGE_NOT_SATISFIABLE_416);
            res.header(HeaderNames.CONTENT_RANGE, r.contentRange(length));
            throw new ApiException(ErrorCode.RANGE_NOT_SATISFIABLE, "range '" + range + "' is outside the file's "
                                   + length + " bytes");
        }
        long first = r == null ? 0 : r.first();
        long count = r == null ? length : r.length();
        res.header(HeaderNames.CONTENT_TYPE, "audio/wav");
        res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(count));
        if (r != null) {
            res.status(Status.PARTIAL_CONTENT_206);
            res.header(HeaderNames.CONTENT_RANGE, r.contentRange(length));
        }
        if (req.prologue().method() == Method.HEAD) {
            res.send();
            return;
        }
        copy(file, first, count, res);
    }

    private static void copy(Path file, long first, long count, ServerResponse res) {
        InputStream in;
        try {
            in = Files.newInputStream(file);
            in.skipNBytes(first);
        } catch (NoSuchFileException e) {
            throw ApiException.notFound(ErrorCode.PODCAST_NOT_FOUND, "the podcast's audio file is gone");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (in; OutputStream out = res.outputStream()) {
            byte[] buffer = new byte[(int) Math.min(BUFFER, Math.max(1, count))];
            long left = count;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    break;   // the file is shorter than recorded: the client sees a short body and retries
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        } catch (IOException | UncheckedIOException | ServerConnectionException e) {
            // the client went away mid-file (a player seeking does that all the time)
        }
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        for (String v : ifNoneMatch.split(",")) {
            String t = v.strip();
            if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }
}
