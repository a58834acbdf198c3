package io.sluice.scenes;

import com.fasterxml.jackson.databind.JsonNode;

/** A named prompt template with the model and parameters to run it with. */
public record Scene(String scene, String template, String system, String model, JsonNode params) {
}
