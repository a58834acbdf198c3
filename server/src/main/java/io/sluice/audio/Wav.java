package io.sluice.audio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * RIFF/WAVE files of uncompressed PCM: the 44-byte header written, a header read back (the chunks
 * walked, so LIST or fact chunks before {@code data} are fine), files of one format joined. What
 * Sluice's speech produces is {@link #PCM_24K}: 16-bit signed little-endian, mono, 24 kHz (OpenAI's
 * {@code pcm} format too).
 */
public final class Wav {
    public static final int HEADER_BYTES = 44;
    public static final Format PCM_24K = new Format(24_000, 1, 16);
    private static final long UNKNOWN_SIZE = 0xFFFFFFFFL;   // what a streamed WAV writes before its length is known

    private Wav() {
    }

    /** The PCM layout of a file. */
    public record Format(int sampleRate, int channels, int bitsPerSample) {
        public int blockAlign() {
            return channels * bitsPerSample / 8;
        }

        public int bytesPerSecond() {
            return sampleRate * blockAlign();
        }
    }

    /** A parsed file: its format and where its samples are ({@code dataLength} bytes from {@code dataOffset}). */
    public record Info(Format format, int dataOffset, int dataLength) {
        public double seconds() {
            return (double) dataLength / format.bytesPerSecond();
        }

        public long millis() {
            return dataLength * 1000L / format.bytesPerSecond();
        }
    }

    /** Not a WAV file Sluice can read; the message says why (for a 400 invalid_audio). */
    public static final class InvalidWavException extends IllegalArgumentException {
        InvalidWavException(String message) {
            super(message);
        }
    }

    /** The 44-byte header of a file holding {@code dataBytes} bytes of samples. */
    public static byte[] header(Format f, long dataBytes) {
        if (dataBytes < 0 || dataBytes > UNKNOWN_SIZE - 36) {
            throw new IllegalArgumentException("a WAV file holds at most 4 GB of samples, got " + dataBytes);
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ascii("RIFF")).putInt((int) (36 + dataBytes)).put(ascii("WAVE"));
        b.put(ascii("fmt ")).putInt(16).putShort((short) 1).putShort((short) f.channels()).putInt(f.sampleRate())
         .putInt(f.bytesPerSecond()).putShort((short) f.blockAlign()).putShort((short) f.bitsPerSample());
        b.put(ascii("data")).putInt((int) dataBytes);
        return b.array();
    }

    public static void writeHeader(OutputStream out, Format f, long dataBytes) throws IOException {
        out.write(header(f, dataBytes));
    }

    /** 24 kHz mono 16-bit samples as a whole WAV file. */
    public static byte[] wrap(byte[] pcm) {
        return wrap(PCM_24K, pcm);
    }

    public static byte[] wrap(Format f, byte[] pcm) {
        byte[] wav = new byte[HEADER_BYTES + pcm.length];
        System.arraycopy(header(f, pcm.length), 0, wav, 0, HEADER_BYTES);
        System.arraycopy(pcm, 0, wav, HEADER_BYTES, pcm.length);
        return wav;
    }

    /**
     * Reads the header: RIFF/WAVE, a PCM {@code fmt } chunk, a {@code data} chunk. A data size larger
     * than the file (or 0xFFFFFFFF, a streamed file) means "to the end of the file".
     */
    public static Info parse(byte[] wav) {
        if (wav.length < 12) {
            throw new InvalidWavException("too short for a WAV file (" + wav.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        if (!tag(wav, 0).equals("RIFF") || !tag(wav, 8).equals("WAVE")) {
            throw new InvalidWavException("not a WAV file: no RIFF/WAVE header");
        }
        Format format = null;
        int at = 12;
        while (at + 8 <= wav.length) {
            String id = tag(wav, at);
            long size = Integer.toUnsignedLong(b.getInt(at + 4));
            int body = at + 8;
            if (id.equals("fmt ")) {
                format = format(b, body, size);
            } else if (id.equals("data")) {
                if (format == null) {
                    throw new InvalidWavException("the data chunk comes before the fmt chunk");
                }
                int length = (int) Math.min(size, wav.length - body);
                length -= length % format.blockAlign();   // a torn last frame is not a sample
                return new Info(format, body, length);
            }
            if (size > wav.length - body) {
                break;
            }
            at = body + (int) size + (int) (size & 1);   // chunks are word-aligned
        }
        throw new InvalidWavException(format == null ? "no fmt chunk" : "no data chunk");
    }

    private static Format format(ByteBuffer b, int at, long size) {
        if (size < 16 || at + 16 > b.limit()) {
            throw new InvalidWavException("fmt chunk too short");
        }
        int code = Short.toUnsignedInt(b.getShort(at));
        int channels = Short.toUnsignedInt(b.getShort(at + 2));
        int rate = b.getInt(at + 4);
        int bits = Short.toUnsignedInt(b.getShort(at + 14));
        if (code != 1 && code != 0xFFFE) {
            throw new InvalidWavException("only PCM WAV is supported (format code " + code + ")");
        }
        if (channels < 1 || channels > 8 || rate < 1000 || rate > 384_000 || (bits != 8 && bits != 16 && bits != 24 && bits != 32)) {
            throw new InvalidWavException("unsupported PCM layout: " + channels + " channel(s), " + rate + " Hz, " + bits + " bits");
        }
        return new Format(rate, channels, bits);
    }

    /** The samples of a file. */
    public static byte[] pcm(byte[] wav) {
        Info i = parse(wav);
        byte[] out = new byte[i.dataLength()];
        System.arraycopy(wav, i.dataOffset(), out, 0, out.length);
        return out;
    }

    public static double seconds(byte[] wav) {
        return parse(wav).seconds();
    }

    /** Files of one format joined into one, the header's sizes matching the sum of their samples. */
    public static byte[] concat(List<byte[]> wavs) {
        if (wavs.isEmpty()) {
            throw new IllegalArgumentException("nothing to join");
        }
        Format format = null;
        long total = 0;
        Info[] infos = new Info[wavs.size()];
        for (int i = 0; i < infos.length; i++) {
            infos[i] = parse(wavs.get(i));
            if (format != null && !format.equals(infos[i].format())) {
                throw new InvalidWavException("segment " + i + " is " + infos[i].format() + ", not " + format);
            }
            format = infos[i].format();
            total += infos[i].dataLength();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, HEADER_BYTES + total));
        out.writeBytes(header(format, total));
        for (int i = 0; i < infos.length; i++) {
            out.write(wavs.get(i), infos[i].dataOffset(), infos[i].dataLength());
        }
        return out.toByteArray();
    }

    private static String tag(byte[] b, int at) {
        return new String(b, at, 4, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
