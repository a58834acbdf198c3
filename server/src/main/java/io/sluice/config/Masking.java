package io.sluice.config;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;

/** Printing settings safely: secrets and the credentials inside URLs never leave the process. */
public final class Masking {
    private static final String HIDDEN = "***";

    private Masking() {
    }

    /** {@code postgres://app:pw@db/x?password=pw} becomes {@code postgres://***@db/x?password=***}. */
    public static String url(String url) {
        return url.replaceAll("//[^/@]*@", "//***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    /** {@code ***} for any non-empty secret, so an empty (unset) one still shows as unset. */
    public static String secret(String value) {
        return value == null || value.isEmpty() ? "" : HIDDEN;
    }

    /** The settings as a JSON tree, with every {@link Secret} component masked. */
    public static JsonNode tree(ObjectMapper mapper, Object settings) {
        ObjectMapper masking = mapper.copy().setAnnotationIntrospector(new SecretIntrospector());
        return masking.valueToTree(settings);
    }

    private static final class SecretIntrospector extends JacksonAnnotationIntrospector {
        @Override
        public Object findSerializer(Annotated a) {
            Secret secret = a.getAnnotation(Secret.class);
            return secret == null ? super.findSerializer(a) : new MaskingSerializer(secret.value());
        }
    }

    private static final class MaskingSerializer extends JsonSerializer<Object> {
        private final Secret.Kind kind;

        MaskingSerializer(Secret.Kind kind) {
            this.kind = kind;
        }

        @Override
        public void serialize(Object value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            String s = String.valueOf(value);
            gen.writeString(kind == Secret.Kind.URL ? url(s) : secret(s));
        }
    }
}
