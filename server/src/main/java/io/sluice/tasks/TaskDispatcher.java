package io.sluice.tasks;

import java.util.Map;

/**
 * Runs each task with the runner registered for its kind ({@code session_chat}, ...), and every
 * other kind with the default one (a plain chat completion). The kinds are named by the features
 * that submit them, so tasks/ need not know sessions/ or scenes/.
 */
public record TaskDispatcher(Map<String, TaskRunner> byKind, TaskRunner otherwise) implements TaskRunner {

    public TaskDispatcher {
        byKind = Map.copyOf(byKind);
    }

    @Override
    public com.fasterxml.jackson.databind.JsonNode run(Task task) throws Failure {
        return byKind.getOrDefault(task.kind(), otherwise).run(task);
    }
}
