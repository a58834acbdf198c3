package io.sluice.fileproxy;

/**
 * A whole small file as the two-level cache keeps it (L2: JSON, the body base64): the headers that
 * describe it, the body, and until when it is fresh (epoch millis: the origin's max-age or
 * {@code fileproxy.cache.ttl}, whichever is shorter). Null headers were absent at the origin.
 */
public record CachedFile(String contentType,
                         String etag,
                         String lastModified,
                         String cacheControl,
                         String contentDisposition,
                         String contentEncoding,
                         long freshUntil,
                         byte[] body) {

    boolean freshAt(long epochMillis) {
        return epochMillis < freshUntil;
    }
}
