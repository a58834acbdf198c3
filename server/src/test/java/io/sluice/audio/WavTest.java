package io.sluice.audio;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The WAV helper: headers the JDK's reader accepts, parsing past extra chunks, joining, refusing what is not PCM WAV. */
class WavTest {
    @Test
    void aWrappedFileIsReadBackByTheJdkAndByUs() throws Exception {
        byte[] pcm = new byte[48_000];   // one second
        pcm[10] = 7;
        byte[] wav = Wav.wrap(pcm);
        try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
            assertEquals(24_000, in.getFrameLength());
        }
        Wav.Info info = Wav.parse(wav);
        assertEquals(Wav.PCM_24K, info.format());
        assertEquals(1.0, info.seconds(), 1e-9);
        assertEquals(1000, info.millis());
        assertArrayEquals(pcm, Wav.pcm(wav));
    }

    @Test
    void joinedSegmentsLastTheSumOfTheirLengthsAndKeepTheirSamples() {
        byte[] a = Wav.wrap(new byte[4800]);
        byte[] b = Wav.wrap(new byte[] {1, 2, 3, 4});
        byte[] joined = Wav.concat(List.of(a, b, a));
        assertEquals(Wav.seconds(a) * 2 + Wav.seconds(b), Wav.seconds(joined), 1e-9);
        assertEquals(Wav.HEADER_BYTES + 4800 * 2 + 4, joined.length);
        ByteBuffer header = ByteBuffer.wrap(joined).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(joined.length - 8, header.getInt(4), "RIFF size");
        assertEquals(joined.length - Wav.HEADER_BYTES, header.getInt(40), "data size");
        assertEquals(1, joined[Wav.HEADER_BYTES + 4800]);
        assertThrows(Wav.InvalidWavException.class,
                     () -> Wav.concat(List.of(a, Wav.wrap(new Wav.Format(16_000, 1, 16), new byte[2]))), "formats must match");
    }

    @Test
    void extraChunksAndStreamedSizesAreRead() {
        byte[] plain = Wav.wrap(new byte[] {1, 0, 2, 0});
        // A LIST chunk between fmt and data, as many encoders write, and a data size of 0xFFFFFFFF (streamed).
        byte[] list = {'L', 'I', 'S', 'T', 4, 0, 0, 0, 'I', 'N', 'F', 'O'};
        byte[] wav = new byte[plain.length + list.length];
        System.arraycopy(plain, 0, wav, 0, 36);
        System.arraycopy(list, 0, wav, 36, list.length);
        System.arraycopy(plain, 36, wav, 36 + list.length, plain.length - 36);
        for (int i = 0; i < 4; i++) {
            wav[36 + list.length + 4 + i] = (byte) 0xFF;
        }
        Wav.Info info = Wav.parse(wav);
        assertEquals(4, info.dataLength());
        assertEquals(48 + 8, info.dataOffset());
    }

    @Test
    void whatIsNotPcmWavIsRefusedWithAReason() {
        assertTrue(assertThrows(Wav.InvalidWavException.class, () -> Wav.parse("hello".getBytes())).getMessage().contains("too short"));
        assertTrue(assertThrows(Wav.InvalidWavException.class, () -> Wav.parse("ID3 not a wave file".getBytes()))
                           .getMessage().contains("RIFF"));
        byte[] floats = Wav.wrap(new byte[8]);
        floats[20] = 3;   // IEEE float
        assertTrue(assertThrows(Wav.InvalidWavException.class, () -> Wav.parse(floats)).getMessage().contains("PCM"));
        byte[] noData = java.util.Arrays.copyOf(Wav.wrap(new byte[0]), 36);
        assertTrue(assertThrows(Wav.InvalidWavException.class, () -> Wav.parse(noData)).getMessage().contains("no data"));
    }

    @Test
    void simulatedTranscriptsHaveExactlyTheRequestedLength() {
        for (int n : new int[] {0, 1, 9, 10, 61, 400}) {
            String s = SimulatedAudio.words(n, n * 31);
            assertEquals(n, s.length());
            assertTrue(n == 0 || !s.endsWith(" "));
        }
    }
}
