package io.sluice.spend;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.function.Predicate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.helidon.metrics.api.MeterRegistry;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.auth.BudgetEditor;
import io.sluice.auth.KeyScope;
import io.sluice.auth.Principal;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Json;
import io.sluice.infra.Database;
import io.sluice.infra.Invalidations;
import io.sluice.infra.Redis;
import io.sluice.llm.CallPolicy;
import io.sluice.llm.ChatRequest;
import io.sluice.llm.ChatResult;
import io.sluice.llm.usage.Prices;
import io.sluice.observe.monitor.Webhook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a caller may spend and call: a key's model allow-list and tokens per minute, and the key's
 * and its user's budgets. Before a call ({@link #admit}): an allow-list check and, only when
 * budgets exist, a look at this instance's view of the spend (memory; Redis at most once per
 * {@code spend.view-ttl}); only a key with a {@code tpm} costs a Redis round trip. After the call
 * ({@link Call#settle}): its cost from the price table goes to the metrics and the budgets'
 * counters, all off the request path. A stream that crosses a hard limit finishes; the next
 * request is refused with 429 {@code insufficient_quota}, on every instance once their views refresh.
 */
public final class Spend implements CallPolicy, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Spend.class);
    private static final long DAY_SECONDS = 86_400;

    private final SpendSettings settings;
    private final Prices prices;
    private final String currency;
    private final BudgetStore store;
    private final Budgets budgets;
    private final SpendCounters counters;
    private final TokenLimits tokens;
    private final SpendMeters meters;
    private final Webhook webhook;   // null: none configured
    private final Thread reconciler;
    // key id -> its public prefix, the meters' label of the calls a worker charges (read once per key from PostgreSQL)
    private final Cache<String, String> keyLabels = Caffeine.newBuilder().maximumSize(10_000).build();

    public Spend(SpendSettings s, Prices prices, String currency, Database db, Redis redis, Invalidations invalidations,
                 MeterRegistry registry) {
        this.settings = s;
        this.prices = prices;
        this.currency = currency;
        this.store = new BudgetStore(db);
        this.budgets = new Budgets(store, invalidations);
        invalidations.listen(Budgets.CHANNEL, budgets);
        this.counters = new SpendCounters(redis, s.redisPrefix(), s.viewTtl());
        this.tokens = new TokenLimits(redis, s.redisPrefix(), counters);
        this.meters = new SpendMeters(registry, currency, s.maxKeyLabels());
        this.webhook = s.webhookUrl() == null ? null : new Webhook(s.webhookUrl(), s.webhookTimeout());
        budgets.reload();   // before the first request: a budget is enforced from the start
        this.reconciler = Thread.ofVirtual().name("spend-reconciler").start(this::reconcileLoop);
    }

    /** Where the key and user endpoints put budgets. */
    public BudgetEditor budgets() {
        return budgets;
    }

    @Override
    public Admitted admit(ServerRequest req, ServerResponse res, ChatRequest chat) {
        Principal p = req.context().get(Principal.class).orElse(null);
        if (p == null) {
            return OPEN_CALL;
        }
        KeyScope scope = p.scope();
        if (scope != null && !scope.allows(chat.model())) {
            throw new ApiException(ErrorCode.MODEL_NOT_ALLOWED, "this API key may not use the model '"
                    + io.sluice.http.Text.clip(chat.model(), 64) + "'; see GET /v1/models for the ones it may");
        }
        Instant now = null;
        Budget keyBudget = null;
        Budget userBudget = null;
        if (!budgets.none()) {   // no budget anywhere: not even a map lookup
            now = Instant.now();
            keyBudget = p.keyId() == null ? null : budgets.get("key:" + p.keyId());
            userBudget = budgets.get("user:" + p.userId());
            refuseOver(keyBudget, now, true);
            refuseOver(userBudget, now, false);
        }
        String tpmKey = null;
        int estimate = 0;
        if (scope != null && scope.tpm() > 0) {
            estimate = Math.max(1, chat.promptChars() / 4);
            tpmKey = tokens.reserve(p.keyId(), scope.tpm(), estimate, res);
        }
        return new Call(p.userId(), p.keyId(), scope != null ? scope.label() : p.tokenId() != null ? "jwt" : "none",
                        chat.model(), now, keyBudget, userBudget, tpmKey, estimate);
    }

    /**
     * A task's call, charged by the worker: refused if a hard budget of the payer is spent now (it may have run
     * out while the task waited), else charged to the budgets as they are now, its key's public prefix as the meters' label.
     */
    @Override
    public Admitted charge(String owner, String keyId, String model) {
        Instant now = Instant.now();
        Budget keyBudget = keyId == null || budgets.none() ? null : budgets.get("key:" + keyId);
        Budget userBudget = owner == null || budgets.none() ? null : budgets.get("user:" + owner);
        refuseOver(keyBudget, now, true);   // spent while the task waited (its submission was checked then)
        refuseOver(userBudget, now, false);
        return new Call(owner, keyId, label(owner, keyId), model, now, keyBudget, userBudget, null, 0);
    }

    private String label(String owner, String keyId) {
        if (keyId == null) {
            return owner == null ? "none" : "jwt";
        }
        try {
            return keyLabels.get(keyId, store::keyLabel);
        } catch (RuntimeException e) {   // the meters' label only: the budgets and the usage row have the key's id
            LOG.debug("spend: the label of key {} could not be read ({})", keyId, e.toString());
            return "none";
        }
    }

    @Override
    public Predicate<String> visibleModels(ServerRequest req) {
        Principal p = req.context().get(Principal.class).orElse(null);
        KeyScope scope = p == null ? null : p.scope();
        return scope == null || scope.models() == null ? null : scope;
    }

    private void refuseOver(Budget b, Instant now, boolean key) {
        if (b == null) {
            return;
        }
        double spent = counters.current(counters.key(b.subject(), b.period(), now));
        if (spent >= b.hardLimit()) {
            meters.refused(key);
            throw new ApiException(ErrorCode.INSUFFICIENT_QUOTA, "You exceeded your current quota: this "
                    + (key ? "API key" : "user") + "'s " + b.period().db() + " budget of " + b.view().get("limit") + " " + currency
                    + " is spent. It renews at " + b.period().end(now) + ".");
        }
    }

    /** One admitted call: settled on the request's thread once it has ended, without waiting on I/O. */
    private final class Call implements Admitted {
        private final String owner;
        private final String keyId;
        private final String label;
        private final String model;
        private final Instant admittedAt;
        private final Budget keyBudget;
        private final Budget userBudget;
        private final String tpmKey;
        private final int estimate;

        Call(String owner, String keyId, String label, String model, Instant admittedAt, Budget keyBudget, Budget userBudget,
             String tpmKey, int estimate) {
            this.owner = owner;
            this.keyId = keyId;
            this.label = label;
            this.model = model;
            this.admittedAt = admittedAt;
            this.keyBudget = keyBudget;
            this.userBudget = userBudget;
            this.tpmKey = tpmKey;
            this.estimate = estimate;
        }

        @Override
        public String owner() {
            return owner;
        }

        @Override
        public String keyId() {
            return keyId;
        }

        @Override
        public void settle(ChatResult result) {
            ChatResult.Usage u = result == null || result.status() == ChatResult.Status.CACHE_HIT ? null : result.usage();
            tokens.correct(tpmKey, estimate, u == null ? 0 : u.promptTokens() + u.completionTokens());
            if (u == null) {
                return;
            }
            double cost = prices.cost(model, result.provider(), u);
            meters.record(model, label, u.promptTokens(), u.completionTokens(), u.cachedTokens(), cost);
            if (cost > 0) {
                charge(keyBudget, cost, true);
                charge(userBudget, cost, false);
            }
        }

        private void charge(Budget b, double cost, boolean key) {
            if (b == null) {
                return;
            }
            Instant now = admittedAt;   // the period the call was admitted in
            counters.add(counters.key(b.subject(), b.period(), now), cost, ttlSeconds(b, now), softWatch(b, now, key));
        }
    }

    /**
     * The soft limit's watch: Redis's total shows the crossing to the instance that made it, and
     * PostgreSQL's claim sends the warning once per budget and period for the whole cluster.
     */
    private SpendCounters.Watch softWatch(Budget b, Instant now, boolean key) {
        String period = b.period().id(now);
        return b.softLimit() == null ? null : new SpendCounters.Watch(b.softLimit(), spent -> softLimitCrossed(b, period, spent, key));
    }

    private void softLimitCrossed(Budget b, String period, double spent, boolean key) {
        try {
            if (!store.claimSoftWarning(b.subject(), period)) {
                return;   // another instance, or this one before Redis lost the counter, sent it
            }
        } catch (RuntimeException e) {
            LOG.warn("budget: soft-limit warning of {} not claimed in PostgreSQL ({}); sent from here", b.subject(), e.toString());
        }
        meters.softExceeded(key);
        LOG.warn("budget: {} has spent {} {} of its {} budget (soft limit {}, hard limit {})", b.subject(), spent, currency,
                 b.period().db(), b.softLimit(), b.hardLimit());
        if (webhook != null) {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("event", "budget.soft_limit");
            event.put("subject", b.subject());
            event.put("spent", spent);
            event.put("currency", currency);
            event.putAll(b.view());
            webhook.post(Json.write(event));
        }
    }

    private static long ttlSeconds(Budget b, Instant now) {
        return Duration.between(now, b.period().end(now)).toSeconds() + DAY_SECONDS;   // a day past its period
    }

    /** At start and every spend.reconcile-interval: budgets re-read, counters raised to PostgreSQL's sums. */
    private void reconcileLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            reconcile();
            try {
                Thread.sleep(settings.reconcileInterval());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    void reconcile() {
        budgets.reload();
        Instant now = Instant.now();
        Map<String, Budget> current = new LinkedHashMap<>();
        for (Budget b : budgets.all()) {
            current.put(counters.key(b.subject(), b.period(), now), b);
        }
        counters.forgetOtherThan(current.keySet());
        List<String> rebuild;
        try {
            rebuild = counters.needingRebuild(new ArrayList<>(current.keySet()));
        } catch (RuntimeException e) {
            LOG.warn("budget reconciliation skipped: Redis unreachable ({}); retried in {}", e.toString(), settings.reconcileInterval());
            return;
        }
        for (String key : rebuild) {
            Budget b = current.get(key);
            try {
                counters.atLeast(key, store.spentSince(b.subject(), b.period().start(now)), ttlSeconds(b, now),
                                 softWatch(b, now, b.subject().startsWith("key:")));
            } catch (RuntimeException e) {
                LOG.warn("budget reconciliation of {} failed ({}); retried in {}", b.subject(), e.toString(), settings.reconcileInterval());
            }
        }
    }

    @Override
    public void close() {
        reconciler.interrupt();
        counters.close();
        if (webhook != null) {
            webhook.close();
        }
    }
}
