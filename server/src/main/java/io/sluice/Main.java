package io.sluice;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.sluice.config.AppConfig;
import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.http.Json;
import io.sluice.report.ReportCommand;

/** Starts Sluice from config.yaml, the override file and the environment; stops it on SIGTERM. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("--check-config")) {
            checkConfig();
            return;
        }
        if (args.length > 0 && args[0].equals("report")) {   // sample a running instance; the server is not started
            System.exit(ReportCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
            return;
        }
        Sluice sluice;
        try {
            sluice = Sluice.start(AppConfig.load(Map.of()), true);
        } catch (InvalidConfigException e) {
            System.err.println("sluice: " + e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            System.err.println("sluice: start-up failed: " + e);
            org.slf4j.LoggerFactory.getLogger(Main.class).error("start-up failed", e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sluice.close();
            stopped.countDown();
        }, "sluice-shutdown"));
        stopped.await();
    }

    /** Validates the effective configuration and prints it as JSON (secrets masked), then exits. */
    private static void checkConfig() {
        try {
            io.helidon.config.Config config = AppConfig.load(Map.of());
            System.out.println(Json.write(Settings.from(config).masked()));
        } catch (InvalidConfigException e) {
            System.err.println("sluice: " + e.getMessage());
            System.exit(2);
        }
    }
}
