package io.sluice.spend;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.auth.Principal;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Json;
import io.sluice.http.Text;
import io.sluice.infra.Database;

/**
 * {@code GET /v1/usage}: the caller's usage and cost summed per UTC day, model and key over
 * {@code from}..{@code to} (inclusive dates; the last 30 days by default, at most 366), as JSON or,
 * with {@code ?format=csv} or {@code Accept: text/csv}, as CSV. Admins may ask for any user's
 * ({@code user_id}) or any key's ({@code key_id}); others see their own, and only their own keys.
 */
public final class UsageService implements HttpService {
    private static final int MAX_DAYS = 366;

    private final UsageReport report;
    private final String currency;

    public UsageService(Database db, String currency) {
        this.report = new UsageReport(db);
        this.currency = currency;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/usage", this::usage);
    }

    private void usage(ServerRequest req, ServerResponse res) {
        Principal caller = Principal.of(req);
        LocalDate to = date(req, "to", LocalDate.now(ZoneOffset.UTC));
        LocalDate from = date(req, "from", to.minusDays(29));
        if (from.isAfter(to) || ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, "from, to: from must not be after to, and at most "
                    + MAX_DAYS + " days apart");
        }
        String userId = req.query().first("user_id").orElse(null);
        UUID keyId = uuid(req.query().first("key_id").orElse(null), "key_id");
        if (userId != null && !caller.admin() && !userId.equals(caller.userId())) {
            throw new ApiException(ErrorCode.ADMIN_REQUIRED, "user_id: another user's usage is for admins only");
        }
        if (userId != null) {
            uuid(userId, "user_id");
        }
        // Not an admin: always their own rows (a key_id of someone else's key finds nothing).
        String owner = caller.admin() ? (userId != null ? userId : keyId != null ? null : caller.userId()) : caller.userId();
        List<UsageReport.Line> lines = report.lines(from, to, owner, keyId);
        if (csv(req)) {
            res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "text/csv; charset=utf-8"));
            res.header(HeaderValues.create(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"usage-" + from + "-" + to + ".csv\""));
            res.send(UsageReport.csv(lines));
            return;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("object", "usage");
        json.put("from", from.toString());
        json.put("to", to.toString());
        json.put("user_id", owner);
        json.put("key_id", keyId == null ? null : keyId.toString());
        json.put("currency", currency);
        json.put("total", UsageReport.total(lines));
        json.put("by_day", UsageReport.by(lines, "date", l -> l.day().toString()));
        json.put("by_model", UsageReport.by(lines, "model", UsageReport.Line::model));
        json.put("by_key", UsageReport.by(lines, "key_id", l -> l.keyId() == null ? null : l.keyId().toString()));
        json.put("data", lines.stream().map(UsageReport.Line::view).toList());
        json.put("truncated", lines.size() >= UsageReport.MAX_ROWS);
        Json.send(res, json);
    }

    private static boolean csv(ServerRequest req) {
        String format = req.query().first("format").orElse(null);
        if (format != null) {
            if (!format.equals("csv") && !format.equals("json")) {
                throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, "format must be json or csv, got '" + Text.clip(format, 20) + "'");
            }
            return format.equals("csv");
        }
        return req.headers().first(HeaderNames.ACCEPT).map(a -> a.contains("text/csv")).orElse(false);
    }

    private static LocalDate date(ServerRequest req, String name, LocalDate absent) {
        String v = req.query().first(name).orElse(null);
        if (v == null) {
            return absent;
        }
        try {
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, name + " must be a date like 2026-01-31, got '" + Text.clip(v, 40) + "'");
        }
    }

    private static UUID uuid(String v, String name) {
        if (v == null) {
            return null;
        }
        try {
            return UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, name + " must be a UUID, got '" + Text.clip(v, 40) + "'");
        }
    }
}
