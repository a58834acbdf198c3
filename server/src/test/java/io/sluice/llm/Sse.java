package io.sluice.llm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reading server-sent events as an OpenAI client does: every {@code data: } line, in order. */
public final class Sse {
    private Sse() {
    }

    /** The payload of every {@code data: } line; fails on a data line without the space. */
    public static List<String> data(String body) {
        List<String> out = new ArrayList<>();
        for (String line : body.split("\n", -1)) {
            if (line.startsWith("data:")) {
                if (!line.startsWith("data: ")) {
                    throw new AssertionError("OpenAI's format has a space after 'data:': " + line);
                }
                out.add(line.substring(6));
            }
        }
        return out;
    }

    /**
     * A streaming request over a raw socket, so a test can read part of the stream and then hang up
     * the way a closing browser tab does.
     */
    public static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader reader;

        public Connection(int port, String path, String json, String requestId) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Accept: text/event-stream\r\nX-Request-Id: " + requestId + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Reads raw lines (chunk sizes included) until {@code n} data lines have arrived; returns them. */
        public List<String> readData(int n) throws IOException {
            List<String> data = new ArrayList<>();
            String line;
            while (data.size() < n && (line = reader.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            }
            return data;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
