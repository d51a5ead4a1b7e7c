package com.wedsync.hub.form.text;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An immutable text operation for {@code textarea} fields (docs/protocol.md §5 "Text ops"), in the style of ShareDB's
 * text type: a list of retain n / insert "s" / delete n ({@code {"d":n}}) components, positions counted in Unicode
 * code points so that a browser (which counts with {@code [...str]}) and the server agree on every position even
 * with emoji. Anything after the last component is implicitly retained.
 *
 * <p>Ops are kept in one canonical form so that {@link #equals} means "same edit": adjacent components of the same
 * kind are merged, a trailing retain is dropped, and where an insert and a delete touch the same position the insert
 * comes first. The last rule is more than cosmetic: transform breaks insert ties by looking at whether the op's next
 * component is an insert, so {@code [{"d":1},"x"]} and {@code ["x",{"d":1}]} must not behave differently.
 */
public final class TextOp {

    /** Caps the work a single client message can cause (parse, transform over history). */
    public static final int MAX_COMPONENTS = 10_000;

    public static final TextOp NOOP = new TextOp(List.of());

    // Components. Records give value equality; Insert carries its code-point length so it is counted once.
    private sealed interface Comp permits Retain, Insert, Delete {
        int n();
    }

    private record Retain(int n) implements Comp {}

    private record Insert(String text, int n) implements Comp {
        Insert(String text) {
            this(text, text.codePointCount(0, text.length()));
        }
    }

    private record Delete(int n) implements Comp {}

    private final List<Comp> comps;
    private final int baseLength;
    private final int targetLength;

    private TextOp(List<Comp> comps) {
        this.comps = Collections.unmodifiableList(comps);
        long base = 0, target = 0;
        for (Comp c : comps) {
            if (!(c instanceof Insert)) base += c.n();
            if (!(c instanceof Delete)) target += c.n();
        }
        if (base > Integer.MAX_VALUE || target > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("op is too long");
        }
        this.baseLength = (int) base;
        this.targetLength = (int) target;
    }

    // ---------------------------------------------------------------------------------------------- parse / JSON

    /**
     * Parses and validates a client-supplied op. Every rejection names the offending component, because these
     * messages go back to client developers as the error text of {@code field:text}.
     */
    public static TextOp parse(JsonArray json) {
        if (json == null) throw new IllegalArgumentException("ops: must be an array");
        if (json.size() > MAX_COMPONENTS) {
            throw new IllegalArgumentException("ops: too many components (" + json.size() + ", at most "
                    + MAX_COMPONENTS + ")");
        }
        Builder b = new Builder();
        for (int i = 0; i < json.size(); i++) {
            String at = "ops[" + i + "]: ";
            Object v = json.getValue(i); // Vert.x wraps nested Maps as JsonObject
            if (v instanceof String s) {
                if (s.isEmpty()) throw new IllegalArgumentException(at + "insert text must not be empty");
                // A lone surrogate could pair up with a neighbour once inserted, silently changing the code-point
                // count and shifting every later position on some clients but not others.
                if (hasUnpairedSurrogate(s)) {
                    throw new IllegalArgumentException(at + "insert text contains an unpaired surrogate");
                }
                b.append(new Insert(s));
            } else if (v instanceof Number num) {
                b.append(new Retain(positiveInt(num, at + "retain count")));
            } else if (v instanceof JsonObject o) {
                if (o.size() != 1 || !o.containsKey("d")) {
                    throw new IllegalArgumentException(at + "delete must be an object with the single key \"d\"");
                }
                b.append(new Delete(positiveInt(o.getValue("d"), at + "delete count")));
            } else {
                throw new IllegalArgumentException(at + "expected a retain count, an insert string or {\"d\":n}, got "
                        + (v == null ? "null" : v instanceof JsonArray ? "an array" : v.getClass().getSimpleName()));
            }
        }
        return b.build();
    }

    private static int positiveInt(Object v, String what) {
        // Only integral JSON numbers: 1.5 has no meaning as a count and 2.0 is not what any client sends.
        boolean integral = v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger;
        if (!integral || ((Number) v).doubleValue() <= 0) {
            throw new IllegalArgumentException(what + " must be a positive integer (got "
                    + (v instanceof String ? "\"" + v + "\"" : v) + ")");
        }
        if (v instanceof BigInteger big ? big.bitLength() > 31 : ((Number) v).longValue() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " is too large (got " + v + ")");
        }
        return ((Number) v).intValue();
    }

    private static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    public JsonArray toJson() {
        JsonArray out = new JsonArray();
        for (Comp c : comps) {
            if (c instanceof Insert ins) out.add(ins.text());
            else if (c instanceof Delete d) out.add(new JsonObject().put("d", d.n()));
            else out.add(c.n());
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------- apply

    /** Code points this op reads (retains + deletes); the document must be at least this long. */
    public int baseLength() {
        return baseLength;
    }

    /** Code points this op writes over its explicit range (retains + inserts). */
    public int targetLength() {
        return targetLength;
    }

    /** True when applying the op changes nothing (only retains, which normalization drops). */
    public boolean isNoop() {
        return comps.isEmpty();
    }

    /**
     * Applies the op. Positions are code points, so we step with {@code offsetByCodePoints} rather than indexing
     * chars: an emoji is one position but two chars.
     */
    public String apply(String doc) {
        int len = doc.codePointCount(0, doc.length());
        if (baseLength > len) {
            throw new IllegalArgumentException("op reaches past the end of the text (length " + len + ")");
        }
        StringBuilder out = new StringBuilder(doc.length() + 16);
        int pos = 0; // char index into doc
        for (Comp c : comps) {
            if (c instanceof Insert ins) {
                out.append(ins.text());
            } else {
                int end = doc.offsetByCodePoints(pos, c.n());
                if (c instanceof Retain) out.append(doc, pos, end);
                pos = end;
            }
        }
        return out.append(doc, pos, doc.length()).toString();
    }

    // ---------------------------------------------------------------------------------------------- transform

    /**
     * Rewrites {@code op} to apply after {@code other}, both having been made against the same text. Inserts are
     * never lost: an insert inside a range {@code other} deleted lands where that range was. Text both ops delete
     * is deleted once. Two inserts at the same position need an arbitrary but agreed order; {@code opWinsTies}
     * says whether op's goes first, and the two sides of a transform pair must pass opposite values.
     */
    public static TextOp transform(TextOp op, TextOp other, boolean opWinsTies) {
        Cursor mine = new Cursor(op.comps);
        Builder out = new Builder();
        for (Comp c : other.comps) {
            if (c instanceof Retain) {
                // Walk op over the retained text; op's own inserts don't consume other's text.
                int n = c.n();
                while (n > 0) {
                    Comp chunk = mine.take(n, Insert.class);
                    out.append(chunk);
                    if (!(chunk instanceof Insert)) n -= chunk.n();
                }
            } else if (c instanceof Insert) {
                // Other's text is new to op: step over it, letting op's insert at this very spot go first if it wins.
                if (opWinsTies && mine.peek() instanceof Insert) out.append(mine.take(Integer.MAX_VALUE, null));
                out.append(new Retain(c.n()));
            } else {
                // The text is already gone: op's retains/deletes there vanish, its inserts survive in place.
                int n = c.n();
                while (n > 0) {
                    Comp chunk = mine.take(n, Insert.class);
                    if (chunk instanceof Insert) out.append(chunk);
                    else n -= chunk.n();
                }
            }
        }
        while (mine.hasNext()) out.append(mine.take(Integer.MAX_VALUE, null));
        return out.build();
    }

    /** The single op equivalent to applying {@code a} then {@code b} (b made against a's result). */
    public static TextOp compose(TextOp a, TextOp b) {
        Cursor first = new Cursor(a.comps);
        Builder out = new Builder();
        for (Comp c : b.comps) {
            if (c instanceof Insert) {
                out.append(c);
            } else {
                // b's positions count a's output, so a's deletes (absent from that output) pass through untouched.
                boolean deleting = c instanceof Delete;
                int n = c.n();
                while (n > 0) {
                    Comp chunk = first.take(n, Delete.class);
                    if (chunk instanceof Delete) {
                        out.append(chunk);
                        continue;
                    }
                    n -= chunk.n();
                    if (!deleting) out.append(chunk);
                    else if (chunk instanceof Retain) out.append(new Delete(chunk.n()));
                    // else: b deletes text a inserted, and the two cancel out.
                }
            }
        }
        while (first.hasNext()) out.append(first.take(Integer.MAX_VALUE, null));
        return out.build();
    }

    // ---------------------------------------------------------------------------------------------- plumbing

    /** Reads an op component by component, splitting components on demand, retaining forever past the end. */
    private static final class Cursor {
        private final List<Comp> comps;
        private int idx;
        private int off;     // code points of comps[idx] already taken
        private int charOff; // the same, in chars, for inserts

        Cursor(List<Comp> comps) {
            this.comps = comps;
        }

        boolean hasNext() {
            return idx < comps.size();
        }

        Comp peek() {
            return hasNext() ? comps.get(idx) : null;
        }

        /** Up to {@code max} code points of the next component; components of kind {@code whole} come entire. */
        Comp take(int max, Class<? extends Comp> whole) {
            if (!hasNext()) return new Retain(max); // the implicit trailing retain
            Comp c = comps.get(idx);
            int left = c.n() - off;
            int n = (whole != null && whole.isInstance(c)) ? left : Math.min(left, max);
            Comp piece;
            if (c instanceof Insert ins) {
                int end = ins.text().offsetByCodePoints(charOff, n);
                piece = new Insert(ins.text().substring(charOff, end), n);
                charOff = end;
            } else {
                piece = c instanceof Retain ? new Retain(n) : new Delete(n);
            }
            off += n;
            if (off == c.n()) {
                idx++;
                off = 0;
                charOff = 0;
            }
            return piece;
        }
    }

    /**
     * Accumulates components in canonical form. Inserts grow in a StringBuilder: a hostile op of 10,000
     * one-character inserts must not cost 10,000 string copies.
     */
    private static final class Builder {
        private static final class Part {
            final char kind; // 'r', 'i', 'd'
            long n;
            final StringBuilder text;

            Part(char kind, long n, String text) {
                this.kind = kind;
                this.n = n;
                this.text = text == null ? null : new StringBuilder(text);
            }
        }

        private final List<Part> parts = new ArrayList<>();

        void append(Comp c) {
            if (c.n() == 0) return;
            char kind = c instanceof Retain ? 'r' : c instanceof Insert ? 'i' : 'd';
            Part last = parts.isEmpty() ? null : parts.get(parts.size() - 1);
            if (kind == 'i' && last != null && last.kind == 'd') {
                // Canonical order: an insert meeting a delete goes before it (same text results either way).
                Part before = parts.size() >= 2 ? parts.get(parts.size() - 2) : null;
                if (before != null && before.kind == 'i') merge(before, c);
                else parts.add(parts.size() - 1, new Part('i', c.n(), ((Insert) c).text()));
            } else if (last != null && last.kind == kind) {
                merge(last, c);
            } else {
                parts.add(new Part(kind, c.n(), c instanceof Insert ins ? ins.text() : null));
            }
        }

        private static void merge(Part p, Comp c) {
            p.n += c.n();
            if (c instanceof Insert ins) p.text.append(ins.text());
        }

        TextOp build() {
            int size = parts.size();
            if (size > 0 && parts.get(size - 1).kind == 'r') size--; // a trailing retain says nothing
            List<Comp> comps = new ArrayList<>(size);
            for (Part p : parts.subList(0, size)) {
                if (p.n > Integer.MAX_VALUE) throw new IllegalArgumentException("op is too long");
                int n = (int) p.n;
                comps.add(p.kind == 'r' ? new Retain(n) : p.kind == 'd' ? new Delete(n) : new Insert(p.text.toString(), n));
            }
            return new TextOp(comps);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TextOp other && comps.equals(other.comps);
    }

    @Override
    public int hashCode() {
        return comps.hashCode();
    }

    @Override
    public String toString() {
        return toJson().encode();
    }
}
