package com.wedsync.hub.form.text;

import java.util.List;

/** Server-side rebasing of an incoming text op onto the current version of a {@code textarea} field. */
public final class TextHistory {

    private TextHistory() {
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
