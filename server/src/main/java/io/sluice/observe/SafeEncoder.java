package io.sluice.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

/** Every file and console encoder writes {@link SafeLogEvent}s: one guard for every log line, whoever logs it. */
final class SafeEncoder extends EncoderBase<ILoggingEvent> {
    private final Encoder<ILoggingEvent> inner;
    /** Text format: access lines bypass the pattern layout (same bytes); null for JSON. */
    private final AccessLineEncoder access;

    SafeEncoder(Encoder<ILoggingEvent> inner, AccessLineEncoder access) {
        this.inner = inner;
        this.access = access;
    }

    Encoder<ILoggingEvent> inner() {
        return inner;
    }

    @Override
    public byte[] headerBytes() {
        return inner.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        if (access != null && AccessLineEncoder.handles(event)) {
            byte[] line = access.encode(event);
            if (line != null) {
                return line;
            }
        }
        return inner.encode(SafeLogEvent.of(event));
    }

    @Override
    public byte[] footerBytes() {
        return inner.footerBytes();
    }
}
