package io.sluice.infra;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/**
 * Which database failures mean "PostgreSQL is not there" (503, retry later) rather than "this
 * statement is wrong" (a bug, 500): SQLState class 08 (connection exception), the server shutting
 * down or crashing under a query (57P01-57P03), too many connections (53300), a pool timeout and
 * any I/O failure underneath.
 */
public final class DatabaseFailures {
    private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03", "53300");

    private DatabaseFailures() {
    }

    /** True when the failure (anywhere in its cause chain) says the database cannot be used now. */
    public static boolean unavailable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLTransientConnectionException || c instanceof SQLRecoverableException
                    || c instanceof IOException) {
                return true;
            }
            if (c instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || UNAVAILABLE_STATES.contains(s.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when the pool could not hand out a connection because none could be opened. A pool
     * timeout without a connect failure behind it means every connection is busy: the database is
     * up, only this request waited too long.
     */
    static boolean unreachable(SQLException e) {
        return e instanceof SQLTransientConnectionException ? e.getCause() != null : unavailable(e);
    }
}
