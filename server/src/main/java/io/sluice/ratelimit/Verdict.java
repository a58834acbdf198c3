package io.sluice.ratelimit;

/** The answer for several buckets taken in order: the index of the last bucket looked at, and its decision. */
record Verdict(int bucket, Decision decision) {
}
