package io.sluice.podcasts;

import java.util.Arrays;

import io.sluice.audio.Speech;
import io.sluice.audio.Wav;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/** A podcast's {@link Voice}: the audio feature's {@link Speech#synthesize} with the podcasts' speech model. */
public final class SpeechVoice implements Voice {
    private final Speech speech;
    private final String model;

    public SpeechVoice(Speech speech, String model) {
        this.speech = speech;
        this.model = model;
    }

    @Override
    public Voice.Spoken speak(String text, String voice, String requestId) {
        byte[] wav = speech.synthesize(model, voice, text, 1.0);
        Wav.Info info;
        try {
            info = Wav.parse(wav);
        } catch (Wav.InvalidWavException e) {
            throw new ApiException(ErrorCode.UPSTREAM_INVALID_RESPONSE, "the speech model answered no valid WAV: " + e.getMessage());
        }
        byte[] pcm = Arrays.copyOfRange(wav, info.dataOffset(), info.dataOffset() + info.dataLength());
        return new Voice.Spoken(pcm, info.format());
    }
}
