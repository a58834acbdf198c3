package io.sluice.audio;

import java.io.IOException;

/**
 * The simulator's "voice": a deterministic, speech-like signal for a text. Each character lasts
 * 1 / (rate x speed) seconds; a letter or digit is a voiced syllable (a pitch from the voice's name,
 * moved a little by the character, three harmonics, a rise-and-fall envelope), anything else a pause.
 * The same text, voice and speed always give the same samples: 16-bit mono at 24 kHz.
 */
final class SpeechSignal {
    private static final int RATE = Wav.PCM_24K.sampleRate();
    private static final int CHUNK_BYTES = 32 << 10;
    private static final int TABLE = 4096;
    /** One period of the voiced waveform (fundamental + two harmonics): a lookup per sample instead of three sines. */
    private static final float[] WAVE = new float[TABLE];

    static {
        for (int i = 0; i < TABLE; i++) {
            double x = 2 * Math.PI * i / TABLE;
            WAVE[i] = (float) (0.6 * Math.sin(x) + 0.3 * Math.sin(2 * x) + 0.1 * Math.sin(3 * x));
        }
    }

    private final String text;
    private final double f0;
    private final int samplesPerChar;

    SpeechSignal(String text, String voice, double speed, int charsPerSecond) {
        this.text = text;
        this.f0 = 90 + Math.floorMod(voice.hashCode(), 130);   // 90..219 Hz: a low to a high voice
        this.samplesPerChar = Math.max(1, (int) Math.round(RATE / (charsPerSecond * speed)));
    }

    /** The length of the samples in bytes. */
    long pcmBytes() {
        return 2L * samplesPerChar * text.length();
    }

    /** Writes the samples to the sink in chunks of about 32 KB, checking for an interrupt between chunks. */
    void render(AudioSink sink) throws IOException, InterruptedException {
        float[] envelope = new float[samplesPerChar];   // the rise and fall of one syllable
        for (int i = 0; i < samplesPerChar; i++) {
            envelope[i] = (float) (9000 * Math.sin(Math.PI * i / samplesPerChar));
        }
        byte[] buf = new byte[CHUNK_BYTES];
        int used = 0;
        double phase = 0;   // in periods, 0..1
        for (int c = 0; c < text.length(); c++) {
            char ch = text.charAt(c);
            boolean voiced = Character.isLetterOrDigit(ch);
            double step = f0 * (1 + (ch % 7) / 20.0) / RATE;
            for (int i = 0; i < samplesPerChar; i++) {
                int sample = 0;
                if (voiced) {
                    phase += step;
                    if (phase >= 1) {
                        phase -= 1;
                    }
                    sample = Math.round(envelope[i] * WAVE[(int) (phase * TABLE)]);
                }
                buf[used++] = (byte) sample;
                buf[used++] = (byte) (sample >> 8);
                if (used == buf.length) {
                    if (Thread.interrupted()) {
                        throw new InterruptedException("speech rendering cancelled");
                    }
                    sink.write(buf, 0, used);
                    used = 0;
                }
            }
        }
        if (used > 0) {
            sink.write(buf, 0, used);
        }
    }
}
