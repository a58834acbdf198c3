package io.sluice.llm;

/** A write to the client failed: it closed the connection. Nothing is left to answer. */
public final class ClientGoneException extends RuntimeException {
    public ClientGoneException(Throwable cause) {
        super("client closed the connection", cause, false, false);
    }
}
