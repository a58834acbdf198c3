package io.sluice.audio;

import java.io.IOException;

/** Where rendered audio goes: a client's response as it arrives, or a buffer (podcast lines). */
public interface AudioSink {
    /** Called once, before the first bytes: the audio's media type. */
    void start(String contentType) throws IOException;

    void write(byte[] bytes, int offset, int length) throws IOException;
}
