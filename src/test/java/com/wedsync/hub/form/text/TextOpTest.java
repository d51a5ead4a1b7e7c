package com.wedsync.hub.form.text;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TextOpTest {

    private static TextOp op(String json) {
        return TextOp.parse(new JsonArray(json));
    }

    private static String parseError(JsonArray json) {
        return assertThrows(IllegalArgumentException.class, () -> TextOp.parse(json)).getMessage();
    }

    // ------------------------------------------------------------------------------------------ parse errors

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "[1,0]                 | ops[1]: retain count must be a positive integer (got 0)",
            "[-3]                  | ops[0]: retain count must be a positive integer (got -3)",
            "[1.5]                 | ops[0]: retain count must be a positive integer (got 1.5)",
            "[2.0]                 | ops[0]: retain count must be a positive integer (got 2.0)",
            "[3000000000]          | ops[0]: retain count is too large (got 3000000000)",
            "[99999999999999999999999] | ops[0]: retain count is too large (got 99999999999999999999999)",
            "[1,\"a\",\"\"]        | ops[2]: insert text must not be empty",
            "[{\"d\":0}]           | ops[0]: delete count must be a positive integer (got 0)",
            "[1,{\"d\":-2}]        | ops[1]: delete count must be a positive integer (got -2)",
            "[{\"d\":1.5}]         | ops[0]: delete count must be a positive integer (got 1.5)",
            "[{\"d\":\"abc\"}]     | ops[0]: delete count must be a positive integer (got \"abc\")",
            "[1,2,{\"d\":2,\"x\":1}] | ops[2]: delete must be an object with the single key \"d\"",
            "[{}]                  | ops[0]: delete must be an object with the single key \"d\"",
            "[{\"x\":1}]           | ops[0]: delete must be an object with the single key \"d\"",
            "[true]                | ops[0]: expected a retain count, an insert string or {\"d\":n}, got Boolean",
            "[1,null]              | ops[1]: expected a retain count, an insert string or {\"d\":n}, got null",
            "[[1]]                 | ops[0]: expected a retain count, an insert string or {\"d\":n}, got an array",
    })
    void rejectsMalformedComponentsNamingTheIndex(String json, String message) {
        assertEquals(message, parseError(new JsonArray(json)));
    }

    @Test
    void rejectsUnpairedSurrogates() {
        // A lone half of an emoji would fuse with a neighbour and shift positions differently on each side.
        assertEquals("ops[1]: insert text contains an unpaired surrogate",
                parseError(new JsonArray().add(1).add("a\uD83D")));
        assertEquals("ops[0]: insert text contains an unpaired surrogate",
                parseError(new JsonArray().add("\uDC70b")));
    }

    @Test
    void rejectsTooManyComponents() {
        JsonArray ok = new JsonArray();
        for (int i = 0; i < TextOp.MAX_COMPONENTS; i++) ok.add(i % 2 == 0 ? (Object) 1 : "x");
        assertEquals(TextOp.MAX_COMPONENTS, TextOp.parse(ok).toJson().size());
        assertEquals("ops: too many components (10001, at most 10000)", parseError(ok.copy().add(1)));
    }

    @Test
    void rejectsRetainAndDeleteTotalsThatOverflow() {
        JsonArray json = new JsonArray().add(Integer.MAX_VALUE).add("x").add(new JsonObject().put("d", 5));
        assertEquals("op is too long", parseError(json));
    }

    // ------------------------------------------------------------------------------------------ normalization

    @Test
    void mergesAdjacentComponentsAndDropsTrailingRetain() {
        assertEquals("[3,\"ab\",{\"d\":3}]", op("[1,2,\"a\",\"b\",{\"d\":1},{\"d\":2},4,5]").toString());
        assertEquals(op("[3,\"ab\",{\"d\":3}]"), op("[1,2,\"a\",\"b\",{\"d\":1},{\"d\":2},9]"));
        assertEquals(op("[3,\"ab\",{\"d\":3}]").hashCode(), op("[1,2,\"a\",\"b\",{\"d\":1},{\"d\":2}]").hashCode());
    }

    @Test
    void putsInsertBeforeDeleteAtTheSamePosition() {
        assertEquals("[2,\"xy\",{\"d\":3}]", op("[2,{\"d\":1},\"x\",{\"d\":2},\"y\"]").toString());
        assertEquals(op("[\"x\",{\"d\":2}]"), op("[{\"d\":2},\"x\"]"));
    }

    @Test
    void retainOnlyOpsAreNoops() {
        assertTrue(op("[]").isNoop());
        assertTrue(op("[5,6]").isNoop());
        assertEquals(TextOp.NOOP, op("[7]"));
        assertEquals("[]", op("[7]").toString());
        assertFalse(op("[7,{\"d\":1}]").isNoop());
    }

    @Test
    void toJsonRoundTrips() {
        TextOp o = op("[5,\"hi 👰\",{\"d\":3},2,\"z\"]");
        assertEquals(o, TextOp.parse(o.toJson()));
        assertEquals(new JsonArray().add(5).add("hi 👰").add(new JsonObject().put("d", 3)).add(2).add("z"), o.toJson());
    }

    @Test
    void lengthsCountCodePoints() {
        TextOp o = op("[2,\"👰🤵\",{\"d\":3}]");
        assertEquals(5, o.baseLength());
        assertEquals(4, o.targetLength());
    }

    // ------------------------------------------------------------------------------------------ apply

    @Test
    void appliesRetainInsertDeleteWithImplicitTail() {
        assertEquals("hello world", op("[5,\" world\"]").apply("hello"));
        assertEquals("Hi there", op("[{\"d\":5},\"Hi\"]").apply("Hello there"));
        assertEquals("ab", op("[]").apply("ab"));
        assertEquals("X", op("[\"X\"]").apply(""));
    }

    @Test
    void countsEmojiAsOnePosition() {
        String couple = "👰🤵"; // 2 code points, 4 UTF-16 units
        assertEquals("👰💍🤵", op("[1,\"💍\"]").apply(couple));
        assertEquals("🤵", op("[{\"d\":1}]").apply(couple));
        assertEquals("👰", op("[1,{\"d\":1}]").apply(couple));
        assertEquals("👰🤵!", op("[2,\"!\"]").apply(couple));
    }

    @Test
    void countsCombiningMarksAsTheirOwnPositions() {
        String cafe = "cafe\u0301s"; // "café" with a combining acute: e and U+0301 are separate code points
        assertEquals("cafes", op("[4,{\"d\":1}]").apply(cafe));
        assertEquals("cafe\u0301\u0301s", op("[5,\"\u0301\"]").apply(cafe));
    }

    @Test
    void rejectsOpsReachingPastTheEnd() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> op("[2,\"x\"]").apply("👰"));
        assertEquals("op reaches past the end of the text (length 1)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> op("[1,{\"d\":2}]").apply("👰🤵"));
        assertEquals("op reaches past the end of the text (length 2)", e.getMessage());
        assertEquals("👰🤵x", op("[2,\"x\"]").apply("👰🤵")); // exactly at the end is fine
    }

    // ------------------------------------------------------------------------------------------ transform

    private static void assertConverges(String doc, TextOp a, TextOp b) {
        String viaA = TextOp.transform(b, a, false).apply(a.apply(doc));
        String viaB = TextOp.transform(a, b, true).apply(b.apply(doc));
        assertEquals(viaA, viaB);
    }

    @Test
    void insertTiesAreOrderedByTheFlag() {
        TextOp x = op("[1,\"X\"]");
        TextOp y = op("[1,\"Y\"]");
        assertEquals(op("[1,\"X\"]"), TextOp.transform(x, y, true));  // X stays before Y
        assertEquals(op("[2,\"X\"]"), TextOp.transform(x, y, false)); // X goes after Y
        assertEquals("aXYbc", TextOp.transform(x, y, true).apply(y.apply("abc")));
        assertEquals("aYXbc", TextOp.transform(x, y, false).apply(y.apply("abc")));
        assertConverges("abc", x, y);
        assertConverges("abc", y, x);
    }

    @Test
    void insertTieWinsEvenWhenTheOpAlsoDeletesThere() {
        // Written delete-first, normalized insert-first: the tie must not depend on how the client spelled it.
        TextOp mine = op("[1,{\"d\":1},\"X\"]");
        TextOp theirs = op("[1,\"Y\"]");
        assertEquals("aXYc", TextOp.transform(mine, theirs, true).apply(theirs.apply("abc")));
        assertEquals("aYXc", TextOp.transform(mine, theirs, false).apply(theirs.apply("abc")));
    }

    @Test
    void insertsAtDifferentPositionsShift() {
        TextOp a = op("[1,\"👰\"]");
        TextOp b = op("[3,\"🤵\"]");
        assertEquals(op("[4,\"🤵\"]"), TextOp.transform(b, a, false));
        assertEquals(a, TextOp.transform(a, b, true));
        assertEquals("a👰bc🤵d", TextOp.transform(b, a, false).apply(a.apply("abcd")));
        assertConverges("abcd", a, b);
    }

    @Test
    void overlappingDeletesAreNotDuplicated() {
        String doc = "abcdef";
        TextOp a = op("[1,{\"d\":3}]"); // bcd
        TextOp b = op("[2,{\"d\":3}]"); // cde
        assertEquals(op("[1,{\"d\":1}]"), TextOp.transform(a, b, true)); // only b is left to delete
        assertEquals(op("[1,{\"d\":1}]"), TextOp.transform(b, a, false)); // only e is left to delete
        assertEquals("af", TextOp.transform(a, b, true).apply(b.apply(doc)));
        assertConverges(doc, a, b);
        // Identical deletes: the second becomes a no-op.
        assertTrue(TextOp.transform(a, a, false).isNoop());
    }

    @Test
    void insertInsideADeletedRangeSurvives() {
        String doc = "abcdef";
        TextOp ins = op("[3,\"X\"]");        // abc|def
        TextOp del = op("[1,{\"d\":4}]");    // delete bcde
        assertEquals(op("[1,\"X\"]"), TextOp.transform(ins, del, false));
        assertEquals(op("[1,{\"d\":2},1,{\"d\":2}]"), TextOp.transform(del, ins, true)); // deletes around X
        assertEquals("aXf", TextOp.transform(ins, del, false).apply(del.apply(doc)));
        assertConverges(doc, ins, del);
        assertConverges(doc, del, ins);
    }

    @Test
    void transformOverANoopIsIdentity() {
        TextOp a = op("[2,\"x\",{\"d\":1}]");
        assertEquals(a, TextOp.transform(a, TextOp.NOOP, false));
        assertTrue(TextOp.transform(TextOp.NOOP, a, true).isNoop());
    }

    // ------------------------------------------------------------------------------------------ compose

    @Test
    void composesSequentialOps() {
        TextOp a = op("[1,\"XY\"]");          // abc -> aXYbc
        TextOp b = op("[2,{\"d\":2}]");       // aXYbc -> aXc (deletes Y and b)
        TextOp ab = TextOp.compose(a, b);
        assertEquals(op("[1,\"X\",{\"d\":1}]"), ab);
        assertEquals("aXc", ab.apply("abc"));
        assertEquals(b.apply(a.apply("abc")), ab.apply("abc"));
    }

    @Test
    void composeCancelsDeletedInsertsAndKeepsEarlierDeletes() {
        TextOp a = op("[{\"d\":2},2,\"hello\"]"); // 👰🤵ab -> ab + hello
        TextOp b = op("[2,{\"d\":5}]");           // delete hello again
        assertTrue(TextOp.compose(a, b).apply("👰🤵ab").equals("ab"));
        assertEquals(op("[{\"d\":2}]"), TextOp.compose(a, b));
        // b reaching beyond a's explicit range uses a's implicit retain.
        assertEquals(op("[\"x\",3,{\"d\":1}]"), TextOp.compose(op("[\"x\"]"), op("[4,{\"d\":1}]")));
    }

    // ------------------------------------------------------------------------------------------ history

    @Test
    void rebaseTransformsOverEachAppliedOpWithServerWinningTies() {
        String base = "abc";
        TextOp first = op("[3,\"!\"]");   // abc!
        TextOp second = op("[\"> \"]");   // > abc!
        TextOp incoming = op("[3,\"?\"]"); // made against "abc": ties with first at position 3
        TextOp rebased = TextHistory.rebase(incoming, List.of(first, second));
        assertEquals(op("[6,\"?\"]"), rebased);
        assertEquals("> abc!?", rebased.apply(second.apply(first.apply(base))));
        assertEquals(incoming, TextHistory.rebase(incoming, List.of()));
    }
}
