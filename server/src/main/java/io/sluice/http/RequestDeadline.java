package io.sluice.http;

import java.time.Duration;

/**
 * The deadline a request runs under, as the error mapper sees it in the request context: when it
 * has expired, the error that ended the request is answered as 504. Implemented by
 * {@code limits.Deadlines.Guard}; this interface keeps http/ from depending on limits/.
 */
public interface RequestDeadline {
    boolean expired();

    Duration deadline();
}
