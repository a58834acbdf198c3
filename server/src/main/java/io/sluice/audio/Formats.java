package io.sluice.audio;

/** The media types of OpenAI's speech response formats. */
final class Formats {
    private Formats() {
    }

    static String contentType(String format) {
        return switch (format) {
            case "mp3" -> "audio/mpeg";
            case "opus" -> "audio/ogg";
            case "aac" -> "audio/aac";
            case "flac" -> "audio/flac";
            case "wav" -> "audio/wav";
            default -> "audio/pcm";
        };
    }
}
