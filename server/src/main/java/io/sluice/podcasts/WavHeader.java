package io.sluice.podcasts;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The 44-byte header of a PCM WAV file (RIFF, one {@code fmt } chunk, one {@code data} chunk). */
final class WavHeader {
    static final int SIZE = 44;

    private WavHeader() {
    }

    static byte[] of(Voice.PcmFormat f, long dataBytes) {
        if (dataBytes > 0xFFFF_FFFFL - 36) {
            throw new IllegalArgumentException("a WAV file holds at most 4 GB of samples");
        }
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt((int) (36 + dataBytes))
         .put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
         .put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16)
         .putShort((short) 1)                                   // PCM
         .putShort((short) f.channels())
         .putInt(f.sampleRate())
         .putInt(f.bytesPerSecond())
         .putShort((short) (f.channels() * f.bitsPerSample() / 8))   // block align
         .putShort((short) f.bitsPerSample())
         .put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt((int) dataBytes);
        return b.array();
    }
}
