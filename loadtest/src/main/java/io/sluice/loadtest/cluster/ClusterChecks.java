package io.sluice.loadtest.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code make test-cluster}: checks through HAProxy against the cluster deploy/cluster/cluster.sh
 * started (its cluster.env names every address), one after another, each with its own users so
 * that one check's rate budget never decides another's. Prints a table (check, what it did, what
 * it saw, pass/fail), also written to --out, and exits non-zero when any check failed.
 *
 * <pre>java -cp sluice-loadtest.jar:libs/* io.sluice.loadtest.cluster.ClusterChecks --env=target/cluster/cluster.env
 *      --script=deploy/cluster/cluster.sh --out=target/cluster-report.md</pre>
 */
public final class ClusterChecks {
    /** One row of the table. */
    record Row(String check, String did, String saw, boolean pass) {
    }

    /** One check: runs against the cluster and says what it saw. */
    interface Check {
        Row run(Cluster c) throws Exception;
    }

    private ClusterChecks() {
    }

    public static void main(String[] args) throws Exception {
        String env = "target/cluster/cluster.env";
        String script = "deploy/cluster/cluster.sh";
        String out = "target/cluster-report.md";
        for (String a : args) {
            if (a.startsWith("--env=")) {
                env = a.substring(6);
            } else if (a.startsWith("--script=")) {
                script = a.substring(9);
            } else if (a.startsWith("--out=")) {
                out = a.substring(6);
            }
        }
        Cluster c = new Cluster(Path.of(env), Path.of(script).toAbsolutePath());
        Keys keys = new Keys(c);
        List<Row> rows = new ArrayList<>();
        List<Check> checks = List.of(
                new SharedBudget(keys),
                new LogoutEverywhere(keys),
                new ClientAddressCheck(),
                new PgBouncerCheck(),
                new DrainCheck(keys),
                new TaskKillCheck(keys),
                new FailoverCheck(keys));
        for (Check check : checks) {
            long t0 = System.nanoTime();
            Row row;
            try {
                row = check.run(c);
            } catch (Exception | AssertionError e) {
                row = new Row(check.getClass().getSimpleName(), "(did not finish)", "error: " + e, false);
            }
            rows.add(row);
            System.out.printf("%-4s %s (%.1f s): %s%n", row.pass() ? "PASS" : "FAIL", row.check(),
                              (System.nanoTime() - t0) / 1e9, row.saw());
        }
        String table = table(rows);
        System.out.println();
        System.out.println(table);
        Files.createDirectories(Path.of(out).toAbsolutePath().getParent());
        Files.writeString(Path.of(out), table);
        System.exit(rows.stream().allMatch(Row::pass) ? 0 : 1);
    }

    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder("| check | what it did | what it saw | result |\n|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append("| ").append(r.check()).append(" | ").append(r.did()).append(" | ").append(r.saw().replace("|", "/"))
              .append(" | ").append(r.pass() ? "pass" : "**FAIL**").append(" |\n");
        }
        return sb.toString();
    }
}
