package io.sluice.audio;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/** An audio upstream's failures as the catalogue's codes: 5xx ones may fall back to the next provider, 4xx ones may not. */
final class Upstream {
    private Upstream() {
    }

    static ApiException status(String provider, int status, String detail) {
        String why = "audio provider " + provider + " answered " + status + (detail.isEmpty() ? "" : ": " + detail);
        if (status == 401 || status == 403) {
            return new ApiException(ErrorCode.UPSTREAM_AUTH_FAILED, why);
        }
        if (status == 429) {
            return new ApiException(ErrorCode.UPSTREAM_RATE_LIMITED, why, java.time.Duration.ofSeconds(1));
        }
        if (status >= 400 && status < 500 && status != 408) {
            return new ApiException(ErrorCode.UPSTREAM_REJECTED_REQUEST, why);
        }
        return new ApiException(ErrorCode.UPSTREAM_ERROR, why);
    }

    static ApiException failure(String provider, Exception e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ApiException a) {
                return a;
            }
            if (c instanceof ConnectException || c instanceof NoRouteToHostException || c instanceof UnknownHostException) {
                return new ApiException(ErrorCode.UPSTREAM_UNREACHABLE, "audio provider " + provider + " unreachable");
            }
            if (c instanceof SocketTimeoutException) {
                return new ApiException(ErrorCode.UPSTREAM_TIMEOUT, "audio provider " + provider + " did not answer in time");
            }
        }
        return new ApiException(ErrorCode.UPSTREAM_ERROR, "audio provider " + provider + ": connection error ("
                                + e.getClass().getSimpleName() + ")");
    }

    static ApiException timeout(String provider, String kind, java.time.Duration limit) {
        return new ApiException(ErrorCode.UPSTREAM_TIMEOUT, kind + " call to audio provider " + provider + " took longer than "
                                + limit.toMillis() + " ms (audio." + (kind.equals("speech") ? "tts" : "asr") + "-timeout)");
    }
}
