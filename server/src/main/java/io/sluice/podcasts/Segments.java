package io.sluice.podcasts;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;

import io.sluice.audio.Wav;

/**
 * A podcast's files under {@code podcasts.dir}: one raw PCM segment per rendered line in
 * {@code <id>/NNNNN.pcm} while it is made, then the joined {@code <id>.wav}. Every file is written
 * to a temporary name and moved into place, so a worker killed mid-write leaves no file that looks
 * complete: a segment either exists whole or not at all, and its size is checked against the
 * database before it is trusted.
 */
final class Segments {
    private final Path dir;

    Segments(Path dir) {
        this.dir = dir;
    }

    Path audio(UUID id) {
        return dir.resolve(id + ".wav");
    }

    private Path segmentDir(UUID id) {
        return dir.resolve(id.toString());
    }

    private Path segment(UUID id, int index) {
        return segmentDir(id).resolve("%05d.pcm".formatted(index));
    }

    void write(UUID id, int index, byte[] pcm) {
        Path target = segment(id, index);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.write(tmp, pcm);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write segment " + target, e);
        }
    }

    /** True when the line's segment is on disk with the size the database recorded for it. */
    boolean intact(UUID id, int index, long pcmBytes) {
        try {
            return Files.size(segment(id, index)) == pcmBytes;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Joins the segments, in order, into one WAV file with one header whose sizes are the sum of the
     * segments; returns the file's size. The segments stay until {@link #dropSegments}.
     */
    long join(UUID id, List<Integer> indexes, long pcmBytes, Wav.Format format) {
        Path target = audio(id);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(Wav.header(format, pcmBytes));
                for (int index : indexes) {
                    Files.copy(segment(id, index), out);
                }
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return Files.size(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot join the segments of podcast " + id, e);
        }
    }

    void dropSegments(UUID id) {
        Path d = segmentDir(id);
        if (!Files.isDirectory(d)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the segments of podcast " + id, e);
        }
    }

    /** Every file of the podcast: segments, the audio, a half-written join. */
    void deleteAll(UUID id) {
        dropSegments(id);
        try {
            Files.deleteIfExists(audio(id));
            Files.deleteIfExists(audio(id).resolveSibling(id + ".wav.tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the audio of podcast " + id, e);
        }
    }
}
