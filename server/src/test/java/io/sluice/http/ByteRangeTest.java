package io.sluice.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class ByteRangeTest {

    @Test
    void parsesTheThreeFormsAndClampsToTheLength() {
        assertEquals(new ByteRange(0, 99), ByteRange.parse("bytes=0-99", 1000));
        assertEquals(new ByteRange(900, 999), ByteRange.parse("bytes=900-", 1000));
        assertEquals(new ByteRange(990, 999), ByteRange.parse("bytes=-10", 1000));
        assertEquals(new ByteRange(0, 999), ByteRange.parse("bytes=-5000", 1000));
        assertEquals(new ByteRange(500, 999), ByteRange.parse("Bytes=500-5000", 1000));
        assertEquals("bytes 990-999/1000", ByteRange.parse("bytes=-10", 1000).contentRange(1000));
    }

    @Test
    void unsatisfiableAndIgnoredRanges() {
        assertSame(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=1000-", 1000));
        assertSame(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=-0", 1000));
        assertEquals("bytes */1000", ByteRange.UNSATISFIABLE.contentRange(1000));
        assertNull(ByteRange.parse(null, 1000));
        assertNull(ByteRange.parse("items=0-1", 1000));
        assertNull(ByteRange.parse("bytes=0-1,5-6", 1000));   // several ranges: the whole file
        assertNull(ByteRange.parse("bytes=9-2", 1000));
        assertNull(ByteRange.parse("bytes=x-", 1000));
    }
}
