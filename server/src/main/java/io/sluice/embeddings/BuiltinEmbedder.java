package io.sluice.embeddings;

import java.util.ArrayList;
import java.util.List;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.output.Response;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * all-MiniLM-L6-v2 (quantized, 384 dimensions) in process through ONNX Runtime; the weights are in
 * the jar, nothing is downloaded. The model (about 1.5 s and ~100 MB of native memory to load) is
 * created at the first call, so a server that never embeds never loads it.
 */
final class BuiltinEmbedder implements Embedder {
    private static final Logger LOG = LoggerFactory.getLogger(BuiltinEmbedder.class);
    private volatile AllMiniLmL6V2QuantizedEmbeddingModel model;

    @Override
    public Vectors embed(List<String> inputs) {
        List<TextSegment> segments = new ArrayList<>(inputs.size());
        for (String s : inputs) {
            segments.add(TextSegment.from(s));
        }
        Response<List<Embedding>> r;
        try {
            r = model().embedAll(segments);
        } catch (RuntimeException e) {   // several texts are embedded in parallel: the failure comes wrapped
            if (!noTokens(e)) {
                throw e;
            }
            // The tokenizer drops control characters, U+FFFD and lone surrogates: a text of only those has no
            // token, and the library then fails on an empty list (a 500 before this). It is the client's input.
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, "input: " + (inputs.size() == 1 ? "the text has"
                    : "one of the texts has") + " no token the model reads (only control characters or invalid Unicode)");
        }
        List<float[]> vectors = new ArrayList<>(inputs.size());
        for (Embedding e : r.content()) {
            vectors.add(e.vector());
        }
        Integer tokens = r.tokenUsage() == null ? null : r.tokenUsage().inputTokenCount();
        return new Vectors(vectors, tokens != null ? tokens : estimate(inputs));
    }

    private static boolean noTokens(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IndexOutOfBoundsException) {
                return true;
            }
        }
        return false;
    }

    private AllMiniLmL6V2QuantizedEmbeddingModel model() {
        AllMiniLmL6V2QuantizedEmbeddingModel m = model;
        if (m == null) {
            synchronized (this) {   // once, at the first call; later calls read the volatile field
                m = model;
                if (m == null) {
                    long start = System.nanoTime();
                    m = new AllMiniLmL6V2QuantizedEmbeddingModel();
                    model = m;
                    LOG.info("built-in embedding model {} loaded in {} ms", EmbeddingSettings.MINILM,
                             (System.nanoTime() - start) / 1_000_000);
                }
            }
        }
        return m;
    }

    private static int estimate(List<String> inputs) {
        int chars = 0;
        for (String s : inputs) {
            chars += s.length();
        }
        return Math.max(1, chars / 4);
    }
}
