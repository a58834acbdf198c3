package io.sluice.http;

/**
 * A request body already received in full (by the admission filter, before any permit was taken),
 * kept in the request context; {@link Json#readObject} reads it from here instead of the socket.
 */
public record ReceivedBody(byte[] bytes) {
}
