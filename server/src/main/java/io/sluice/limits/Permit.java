package io.sluice.limits;

/** A held slot of a {@link BoundedSemaphore}; closing it more than once is harmless. */
public interface Permit extends AutoCloseable {
    @Override
    void close();
}
