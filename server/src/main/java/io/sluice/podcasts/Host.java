package io.sluice.podcasts;

/** One of the two hosts: the name that starts their lines in a script, and their TTS voice. */
public record Host(String name, String voice) {

    boolean speaks(String speaker) {
        return name.equalsIgnoreCase(speaker.trim());
    }
}
