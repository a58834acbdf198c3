package io.sluice.audio;

import java.io.IOException;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/**
 * The built-in audio upstream, so a fresh machine runs speech with no model and no network. Speech:
 * after {@code latency}, a WAV (or raw PCM) of {@link SpeechSignal}, streamed in chunks, its length
 * following the text. Transcription: the upload must be a readable PCM WAV (else 400 invalid_audio);
 * after {@code latency}, deterministic words whose length in characters is what the simulator
 * would have spoken in that time, so speech then transcription gives back a text as long as the input.
 */
final class SimulatedAudio implements AudioProvider {
    private static final String[] WORDS = ("simulated speech keeps every call inside its bulkhead so the gateway "
            + "stays responsive while voices render and transcripts return on time").split(" ");

    private final AudioSettings.Provider settings;

    SimulatedAudio(AudioSettings.Provider settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public boolean simulated() {
        return true;
    }

    @Override
    public boolean speaks(String format) {
        return settings.formats().contains(format);
    }

    @Override
    public void speak(SpeechRequest r, AudioSink sink) throws IOException, InterruptedException {
        SpeechSignal signal = new SpeechSignal(r.text(), r.voice(), r.speed(), settings.charsPerSecond());
        Thread.sleep(settings.latency());
        if (r.format().equals("wav")) {
            sink.start("audio/wav");
            byte[] header = Wav.header(Wav.PCM_24K, signal.pcmBytes());
            sink.write(header, 0, header.length);
        } else {
            sink.start("audio/pcm");
        }
        signal.render(sink);
    }

    @Override
    public Transcript transcribe(TranscriptionRequest r) throws InterruptedException {
        Wav.Info info;
        try {
            info = Wav.parse(r.file().data());
        } catch (Wav.InvalidWavException e) {
            throw ApiException.badRequest(ErrorCode.INVALID_AUDIO, "file: " + e.getMessage()
                    + " (the simulated provider reads PCM WAV only)");
        }
        Thread.sleep(settings.latency());
        int chars = (int) Math.round(info.seconds() * settings.charsPerSecond());
        return Transcripts.render(r.format(), words(chars, info.dataLength()), info.seconds(), r.language());
    }

    /** Exactly {@code chars} characters of words (the last one cut to fit), chosen by the audio's length. */
    static String words(int chars, int seed) {
        StringBuilder out = new StringBuilder(chars + 16);
        for (int i = Math.floorMod(seed, WORDS.length); out.length() < chars; i++) {
            if (!out.isEmpty()) {
                out.append(' ');
            }
            out.append(WORDS[i % WORDS.length]);
        }
        out.setLength(chars);
        if (chars > 0 && out.charAt(chars - 1) == ' ') {
            out.setCharAt(chars - 1, '.');   // never a trailing blank: the length stays exact
        }
        return out.toString();
    }
}
