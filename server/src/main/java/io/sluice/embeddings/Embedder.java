package io.sluice.embeddings;

import java.util.List;

/** Turns texts into vectors, one per input, in order. Throws an ApiException when it cannot. */
public interface Embedder {
    Vectors embed(List<String> inputs);

    /** @param promptTokens the tokens the inputs cost (the upstream's count, or the tokenizer's) */
    record Vectors(List<float[]> vectors, int promptTokens) {
    }
}
