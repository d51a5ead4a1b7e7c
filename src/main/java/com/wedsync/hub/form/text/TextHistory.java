package com.wedsync.hub.form.text;

import java.util.List;

/** Server-side rebasing of an incoming text op onto the current version of a {@code textarea} field. */
public final class TextHistory {

    private TextHistory() {
    }

    /** A text op as applied, with the version it produced. */
    public record VersionedOp(long version, TextOp op) {}

    /**
     * The ops that took a field from {@code version} to {@code upTo}, oldest first, picked from {@code log} (the kept
     * ops, oldest first); null when the log no longer holds every one of them.
     */
    public static List<TextOp> between(Iterable<VersionedOp> log, long version, long upTo) {
        List<TextOp> since = new java.util.ArrayList<>();
        long expected = version + 1;
        for (VersionedOp v : log) {
            if (v.version() <= version) continue;
            if (v.version() != expected || v.version() > upTo) break;
            since.add(v.op());
            expected++;
        }
        return expected == upTo + 1 ? since : null;
    }

    /**
     * Transforms {@code incoming}, made against base version v, over {@code appliedSince} (the ops as applied for
     * versions v+1, v+2, … in order), giving the op to apply to the current text and broadcast.
     *
     * <p>The already-applied ops win insert ties: their position is already fixed on every client, and clients
     * holding an unacknowledged op assume exactly this when they transform it over incoming server ops.
     *
     * <p>This does not check {@code incoming} against the base text (the server may not keep it). An op that
     * reached past the end of its base still does so after rebasing, so {@link TextOp#apply} on the current text
     * rejects it.
     */
    public static TextOp rebase(TextOp incoming, List<TextOp> appliedSince) {
        TextOp op = incoming;
        for (TextOp applied : appliedSince) {
            op = TextOp.transform(op, applied, false);
        }
        return op;
    }
}
