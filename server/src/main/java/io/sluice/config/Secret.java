package io.sluice.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a settings record component that must never be printed: {@link Masking#json} writes
 * {@code ***} for a secret and hides the credentials of a URL. Keeps the records themselves whole,
 * so nothing has to rebuild them field by field to print them.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.RECORD_COMPONENT})
public @interface Secret {
    /** {@code URL}: only the user-info and a {@code password=} parameter are hidden. */
    Kind value() default Kind.VALUE;

    enum Kind { VALUE, URL }
}
