package io.sluice.loadtest.origin;

import java.net.URI;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * Slow clients, standalone: N connections downloading one URL again and again, each reading at a
 * capped rate, for a while; prints what they got. Use it to see what a proxy holds per slow reader.
 * {@code java -cp loadtest/target/sluice-loadtest.jar io.sluice.loadtest.origin.SlowClients
 * http://127.0.0.1:8080/files/media/1MB 50 1Mbit 30} (url, clients, rate per client, seconds;
 * optional fifth argument: whole header lines, e.g. "Authorization: Bearer sk-...").
 */
public final class SlowClients {
    private SlowClients() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: SlowClients <url> <clients> <rate e.g. 1Mbit> <seconds> [header line]");
            System.exit(2);
        }
        URI url = URI.create(args[0]);
        int clients = Integer.parseInt(args[1]);
        long rate = Content.parseRate(args[2]);
        long end = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000_000L;
        String headers = args.length > 4 ? args[4] + "\r\n" : "";
        String path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        LongAdder done = new LongAdder();
        LongAdder failed = new LongAdder();
        LongAdder bytes = new LongAdder();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) {
                pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        try (FileClient c = new FileClient(url, 120_000, rate)) {
                            while (System.nanoTime() < end) {
                                FileClient.Download d = c.get(path, headers, false);
                                bytes.add(d.bytes());
                                if (d.status() / 100 == 2 && d.complete()) {
                                    done.increment();
                                } else {
                                    failed.increment();
                                    break;
                                }
                            }
                        } catch (Exception e) {
                            failed.increment();
                        }
                    }
                    return null;
                });
            }
        }
        System.out.printf("%d downloads complete, %d failed, %.1f MB read by %d clients at %s each%n",
                          done.sum(), failed.sum(), bytes.sum() / 1e6, clients, args[2]);
    }
}
