package io.sluice.tracing;

/** The request's trace id, in the request context for the access log line (present only while tracing is on). */
public record TraceId(String value) {
}
