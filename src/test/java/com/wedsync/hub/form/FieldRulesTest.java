package com.wedsync.hub.form;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.form.FieldType.LockMode;
import com.wedsync.hub.form.FieldType.MergeRule;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class FieldRulesTest {

  // ---- helpers ----

  static FieldDefinition def(String key, FieldType type, String validation) {
    return new FieldDefinition(key, key, type, false, null, new JsonObject(validation), null);
  }

  static FieldDefinition def(String key, FieldType type) {
    return def(key, type, "{}");
  }

  static FieldDefinition withOptions(String key, FieldType type, String... options) {
    return new FieldDefinition(key, key, type, false, new JsonArray(List.of((Object[]) options)), new JsonObject(), null);
  }

  static FieldDefinition required(FieldDefinition d) {
    return new FieldDefinition(d.key(), d.label(), d.type(), true, d.options(), d.validation(), d.coreField());
  }

  /** Asserts the refusal is {@code invalid}, names the field, and its detail contains the given text. */
  static String rejected(FieldDefinition def, Object value, String detailPart) {
    ChannelError e = assertThrows(ChannelError.class, () -> FieldRules.validate(def, value));
    assertEquals("invalid", e.reason());
    JsonObject response = e.response();
    assertEquals(def.key(), response.getString("field"));
    String detail = response.getString("detail");
    assertTrue(detail.startsWith(def.key() + " "), "detail names the field: " + detail);
    assertTrue(detail.contains(detailPart), "expected '" + detailPart + "' in: " + detail);
    return detail;
  }

  static String repeat(String s, int n) {
    return s.repeat(n);
  }

  // ---- types ----

  @Nested
  class Types {
    @ParameterizedTest
    @CsvSource({
        "text, HARD, LWW", "email, HARD, LWW", "phone, HARD, LWW", "number, HARD, LWW", "slider, HARD, LWW",
        "date, HARD, LWW", "time, HARD, LWW", "select, HARD, LWW", "checkbox, NONE, LWW", "radio, NONE, LWW",
        "textarea, SOFT, TEXT_OT", "list, NONE, LIST"})
    void lockAndMergeRules(String name, LockMode lock, MergeRule merge) {
      FieldType t = FieldType.parse(name);
      assertEquals(name, t.wireName());
      assertEquals(lock, t.lockMode());
      assertEquals(merge, t.mergeRule());
    }

    @Test
    void revisionKinds() {
      assertEquals("set", MergeRule.LWW.kind());
      assertEquals("text", MergeRule.TEXT_OT.kind());
      assertEquals("list", MergeRule.LIST.kind());
    }

    @Test
    void unknownTypeIsRefused() {
      assertThrows(IllegalArgumentException.class, () -> FieldType.parse("colour"));
      assertThrows(IllegalArgumentException.class, () -> FieldType.parse(null));
    }

    @Test
    void definitionDefaultsValidationToEmpty() {
      assertEquals(new JsonObject(), new FieldDefinition("a", "A", FieldType.TEXT, false, null, null, null).validation());
    }
  }

  // ---- required and empty ----

  @Nested
  class RequiredAndEmpty {
    @ParameterizedTest
    @EnumSource(FieldType.class)
    void nullIsAllowedUnlessRequired(FieldType type) {
      FieldDefinition d = withOptions("f", type, "a", "b");
      assertNull(FieldRules.validate(d, null));
      assertEquals("f is required", rejected(required(d), null, "is required"));
    }

    @ParameterizedTest
    @EnumSource(value = FieldType.class, names = {"EMAIL", "PHONE", "NUMBER", "SLIDER", "DATE", "TIME", "SELECT", "RADIO"})
    void blankStringClearsStructuredInputs(FieldType type) {
      FieldDefinition d = withOptions("f", type, "a");
      assertNull(FieldRules.validate(d, ""));
      assertNull(FieldRules.validate(d, "  "));
      rejected(required(d), "", "is required");
    }

    @Test
    void blankTextIsKeptAsSentButDoesNotSatisfyRequired() {
      assertEquals("", FieldRules.validate(def("name", FieldType.TEXT), ""));
      assertEquals("   ", FieldRules.validate(def("name", FieldType.TEXT), "   "));
      assertEquals("\n\n", FieldRules.validate(def("notes", FieldType.TEXTAREA), "\n\n"));
      rejected(required(def("name", FieldType.TEXT)), "  ", "name is required");
      rejected(required(def("notes", FieldType.TEXTAREA)), "", "notes is required");
    }

    @Test
    void blankTextStillRefusesControlCharacters() {
      rejected(def("name", FieldType.TEXT), "\u001F", "control character (U+001F)");
    }

    @Test
    void emptyArraysForListsAndMultiCheckboxes() {
      assertEquals(new JsonArray(), FieldRules.validate(def("shots", FieldType.LIST), new JsonArray()));
      FieldDefinition extras = withOptions("extras", FieldType.CHECKBOX, "a", "b");
      assertEquals(new JsonArray(), FieldRules.validate(extras, new JsonArray()));
      rejected(required(def("shots", FieldType.LIST)), new JsonArray(), "shots is required");
      rejected(required(extras), new JsonArray(), "extras is required");
    }

    @Test
    void falseSatisfiesValidationOfARequiredCheckboxButIsNotFilled() {
      FieldDefinition drone = required(def("drone", FieldType.CHECKBOX));
      assertEquals(false, FieldRules.validate(drone, false));
      assertFalse(FieldRules.isFilled(drone, false));
    }
  }

  // ---- text and textarea ----

  @Nested
  class Text {
    final FieldDefinition name = def("partner1_name", FieldType.TEXT, "{\"maxLength\":100}");

    @ParameterizedTest
    @ValueSource(strings = {"Emma Wilson", "  spaced  ", "Zoë O'Brien-Łukasz", "👰🤵", "a"})
    void keptExactlyAsSent(String value) {
      assertEquals(value, FieldRules.validate(name, value));
    }

    @Test
    void wrongTypes() {
      rejected(name, 5, "must be text, got the number 5");
      rejected(name, true, "must be text, got true");
      rejected(name, new JsonArray().add("x"), "must be text, got a list");
      rejected(name, new JsonObject().put("a", 1), "must be text, got an object");
    }

    @Test
    void maxLengthFromDefinitionAndDefault() {
      assertEquals(repeat("a", 100), FieldRules.validate(name, repeat("a", 100)));
      rejected(name, repeat("a", 101), "must be at most 100 characters, got 101");
      FieldDefinition plain = def("colours", FieldType.TEXT);
      assertEquals(repeat("a", 500), FieldRules.validate(plain, repeat("a", 500)));
      rejected(plain, repeat("a", 501), "must be at most 500 characters, got 501");
    }

    @Test
    void lengthCountsCodePointsNotUtf16Units() {
      String emoji = repeat("😀", 100); // 200 chars in Java, 100 code points
      assertEquals(emoji, FieldRules.validate(name, emoji));
    }

    @Test
    void minLength() {
      FieldDefinition code = def("code", FieldType.TEXT, "{\"minLength\":3}");
      assertEquals("abc", FieldRules.validate(code, "abc"));
      rejected(code, "ab", "must be at least 3 characters, got 2");
      assertEquals("", FieldRules.validate(code, ""), "empty is still allowed when not required");
    }

    @Test
    void patternIsAnchored() {
      FieldDefinition code = def("code", FieldType.TEXT, "{\"pattern\":\"[A-Z]{2}[0-9]+\"}");
      assertEquals("AB12", FieldRules.validate(code, "AB12"));
      rejected(code, "xAB12", "does not match the required format, got 'xAB12'");
      rejected(code, "AB12x", "does not match the required format");
    }

    @Test
    void catastrophicPatternGivesUpInsteadOfHanging() {
      FieldDefinition evil = def("evil", FieldType.TEXT, "{\"pattern\":\"(a+)+b\"}");
      assertTimeoutPreemptively(Duration.ofSeconds(5),
          () -> rejected(evil, repeat("a", 60), "does not match the required format"));
    }

    @Test
    void brokenDefinitionRulesAreReportedAsSuch() {
      rejected(def("code", FieldType.TEXT, "{\"pattern\":\"([a-z\"}"), "x", "invalid \"pattern\" rule");
      rejected(def("code", FieldType.TEXT, "{\"maxLength\":\"ten\"}"), "x", "invalid \"maxLength\" rule");
    }

    @Test
    void textIsSingleLine() {
      rejected(name, "Emma\nWilson", "control character (U+000A) at position 4; line breaks are not allowed");
      rejected(name, "Emma\u0000", "control character (U+0000)");
      rejected(name, "bad \uD800 surrogate", "unpaired surrogate");
    }

    @Test
    void textareaAllowsLineBreaksAndTabsOnly() {
      FieldDefinition notes = def("timeline_notes", FieldType.TEXTAREA, "{\"maxLength\":5000}");
      assertEquals("Line 1\n\tLine 2", FieldRules.validate(notes, "Line 1\n\tLine 2"));
      rejected(notes, "a\r\nb", "control character (U+000D)");
      rejected(notes, "a\u0007b", "only line breaks and tabs are allowed");
      rejected(notes, repeat("x", 5001), "must be at most 5000 characters, got 5001");
    }

    @Test
    void textareaDefaultsTo10000Characters() {
      FieldDefinition notes = def("allergy_notes", FieldType.TEXTAREA);
      assertEquals(10_000, ((String) FieldRules.validate(notes, repeat("x", 10_000))).length());
      rejected(notes, repeat("x", 10_001), "must be at most 10000 characters, got 10001");
    }

    @Test
    void longValuesAreNotEchoedInFull() {
      String detail = rejected(def("code", FieldType.TEXT, "{\"pattern\":\"a\"}"), repeat("b", 400), "got 'bbb");
      assertTrue(detail.length() < 150, detail);
      assertTrue(detail.endsWith("…'"), detail);
    }
  }

  // ---- email ----

  @Nested
  class Email {
    final FieldDefinition email = def("contact_email", FieldType.EMAIL);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "emma@example.com | emma@example.com",
        "Emma.Wilson@Example.CO.UK | Emma.Wilson@example.co.uk",
        "'  emma+wedding@example.com  ' | emma+wedding@example.com",
        "o'brien@mail-server.example.org | o'brien@mail-server.example.org"})
    void acceptedAndNormalized(String value, String expected) {
      assertEquals(expected, FieldRules.validate(email, value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"emma", "emma@", "@example.com", "emma@example", "em ma@example.com", "emma..w@example.com",
        ".emma@example.com", "emma@-example.com", "emma@example..com", "emma@@example.com", "emma@example.c0m"})
    void rejected(String value) {
      FieldRulesTest.rejected(email, value, "must be an email address like name@example.com, got '");
    }

    @Test
    void localPartAndTotalLength() {
      FieldRulesTest.rejected(email, repeat("a", 65) + "@example.com", "must be an email address");
      assertEquals(repeat("a", 64) + "@example.com", FieldRules.validate(email, repeat("a", 64) + "@example.com"));
      FieldRulesTest.rejected(email, "a@" + repeat("b", 250) + ".com", "must be an email address");
    }

    @Test
    void wrongType() {
      FieldRulesTest.rejected(email, 42, "must be an email address, got the number 42");
    }
  }

  // ---- phone ----

  @Nested
  class Phone {
    final FieldDefinition phone = def("contact_phone", FieldType.PHONE);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "+44 7700 900001 | +44 7700 900001",
        "'  (020)   7946-0018 ' | (020) 7946-0018",
        "+1 555\u00A0123\u00A04567 | +1 555 123 4567",
        "123456 | 123456",
        "+12345678901234567890 | +12345678901234567890"})
    void acceptedAndNormalized(String value, String expected) {
      assertEquals(expected, FieldRules.validate(phone, value));
    }

    @Test
    void digitCount() {
      rejected(phone, "12345", "must have 6 to 20 digits, got 5");
      rejected(phone, "+123456789012345678901", "must have 6 to 20 digits, got 21");
      rejected(phone, "(--)", "must have 6 to 20 digits, got 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"555-CALL-NOW", "44+ 7700 900001", "++44 7700 900001", "0207.946.0018", "+", "tel:0123456"})
    void characters(String value) {
      rejected(phone, value, "may contain only digits, spaces, dashes, parentheses and a leading +");
    }

    @Test
    void wrongType() {
      rejected(phone, 447700900001L, "must be a phone number, got the number 447700900001");
    }
  }

  // ---- number and slider ----

  @Nested
  class Numbers {
    final FieldDefinition guests = def("guest_count", FieldType.NUMBER, "{\"min\":0,\"max\":1000}");
    final FieldDefinition hours = def("coverage_hours", FieldType.SLIDER, "{\"min\":1,\"max\":14,\"step\":1}");

    @Test
    void normalizedToLongWhenIntegralElseDouble() {
      FieldDefinition any = def("n", FieldType.NUMBER);
      assertEquals(120L, FieldRules.validate(any, 120));
      assertEquals(120L, FieldRules.validate(any, 120L));
      assertEquals(2L, FieldRules.validate(any, 2.0));
      assertEquals(0L, FieldRules.validate(any, -0.0));
      assertEquals(2.5, FieldRules.validate(any, 2.5));
      assertEquals(3.5, FieldRules.validate(any, new BigDecimal("3.50")));
      assertEquals(12L, FieldRules.validate(any, new BigInteger("12")));
      assertEquals(1e300, FieldRules.validate(any, 1e300), "integral but beyond long stays a double");
    }

    @Test
    void bounds() {
      assertEquals(0L, FieldRules.validate(guests, 0));
      assertEquals(1000L, FieldRules.validate(guests, 1000));
      assertEquals("guest_count must be a number between 0 and 1000, got 1500", rejected(guests, 1500, "between"));
      rejected(guests, -1, "must be a number between 0 and 1000, got -1");
      rejected(guests, 1000.5, "got 1000.5");
      rejected(def("n", FieldType.NUMBER, "{\"min\":10}"), 9, "n must be at least 10, got 9");
      rejected(def("n", FieldType.NUMBER, "{\"max\":2.5}"), 3, "n must be at most 2.5, got 3");
    }

    @Test
    void wrongTypes() {
      rejected(guests, "12", "must be a number, got text '12'");
      rejected(guests, true, "must be a number, got true");
      rejected(guests, new JsonArray().add(1), "must be a number, got a list");
    }

    @Test
    void mustBeFinite() {
      rejected(def("n", FieldType.NUMBER), Double.NaN, "must be a finite number");
      rejected(def("n", FieldType.NUMBER), Double.POSITIVE_INFINITY, "must be a finite number");
    }

    @Test
    void integerOption() {
      FieldDefinition d = def("tables", FieldType.NUMBER, "{\"integer\":true}");
      assertEquals(7L, FieldRules.validate(d, 7.0));
      rejected(d, 7.5, "must be a whole number, got 7.5");
    }

    @Test
    void numberStepIsExactForDecimals() {
      FieldDefinition d = def("budget", FieldType.NUMBER, "{\"step\":0.1}");
      assertEquals(0.3, FieldRules.validate(d, 0.3)); // 0.3 / 0.1 is not exact in binary floating point
      rejected(d, 0.35, "must be in steps of 0.1 from 0, got 0.35");
    }

    @Test
    void sliderMustHitAStepFromMin() {
      assertEquals(8L, FieldRules.validate(hours, 8));
      rejected(hours, 2.5, "coverage_hours must be in steps of 1 from 1, got 2.5");
      rejected(hours, 15, "must be a number between 1 and 14, got 15");
      FieldDefinition odd = def("s", FieldType.SLIDER, "{\"min\":1,\"max\":9,\"step\":2}");
      assertEquals(3L, FieldRules.validate(odd, 3));
      rejected(odd, 4, "must be in steps of 2 from 1, got 4");
    }

    @Test
    void sliderDefaultsAreThoseOfARangeInput() {
      FieldDefinition bare = def("s", FieldType.SLIDER);
      assertEquals(100L, FieldRules.validate(bare, 100));
      rejected(bare, 101, "between 0 and 100");
      rejected(bare, 50.5, "in steps of 1 from 0");
    }

    @Test
    void brokenBoundsInDefinition() {
      rejected(def("n", FieldType.NUMBER, "{\"min\":\"zero\"}"), 1, "invalid \"min\" rule");
      rejected(def("n", FieldType.NUMBER, "{\"step\":0}"), 1, "invalid \"step\" rule");
    }
  }

  // ---- date and time ----

  @Nested
  class Dates {
    final FieldDefinition date = def("wedding_date", FieldType.DATE);

    @ParameterizedTest
    @CsvSource({"2027-06-12, 2027-06-12", "' 2027-06-12 ', 2027-06-12", "2028-02-29, 2028-02-29"})
    void accepted(String value, String expected) {
      assertEquals(expected, FieldRules.validate(date, value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2027-02-30", "2027-02-29", "2027-13-01", "2027-00-10", "2027-06-31"})
    void notARealDay(String value) {
      rejected(date, value, "must be a real calendar date, got '" + value + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"12/06/2027", "2027-6-12", "2027-06-12T10:00:00Z", "+12027-06-12", "next saturday"})
    void wrongFormat(String value) {
      rejected(date, value, "must be a date as YYYY-MM-DD");
    }

    @Test
    void wrongType() {
      rejected(date, 20270612, "must be a date, got the number 20270612");
    }

    @Test
    void bounds() {
      FieldDefinition both = def("d", FieldType.DATE, "{\"min\":\"2026-01-01\",\"max\":\"2030-12-31\"}");
      assertEquals("2026-01-01", FieldRules.validate(both, "2026-01-01"));
      assertEquals("2030-12-31", FieldRules.validate(both, "2030-12-31"));
      rejected(both, "2031-01-01", "d must be a date between 2026-01-01 and 2030-12-31, got 2031-01-01");
      rejected(def("d", FieldType.DATE, "{\"min\":\"2026-01-01\"}"), "2025-12-31", "no earlier than 2026-01-01");
      rejected(def("d", FieldType.DATE, "{\"max\":\"2026-01-01\"}"), "2026-01-02", "no later than 2026-01-01");
      rejected(def("d", FieldType.DATE, "{\"min\":\"soon\"}"), "2026-01-02", "invalid \"min\" rule");
    }
  }

  @Nested
  class Times {
    final FieldDefinition time = def("ceremony_time", FieldType.TIME);

    @ParameterizedTest
    @CsvSource({"14:00, 14:00", "9:30, 09:30", "09:30:00, 09:30", "00:00, 00:00", "23:59, 23:59", "' 14:00 ', 14:00"})
    void acceptedAndNormalized(String value, String expected) {
      assertEquals(expected, FieldRules.validate(time, value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"24:00", "12:60", "09:30:15", "2pm", "14h00", "14:0", "140:00", "14:00:00.000"})
    void rejected(String value) {
      FieldRulesTest.rejected(time, value, "must be a time as HH:MM (24-hour), got '" + value + "'");
    }

    @Test
    void wrongTypeAndBounds() {
      FieldRulesTest.rejected(time, 1400, "must be a time, got the number 1400");
      FieldDefinition daytime = def("t", FieldType.TIME, "{\"min\":\"09:00\",\"max\":\"18:00\"}");
      assertEquals("18:00", FieldRules.validate(daytime, "18:00"));
      FieldRulesTest.rejected(daytime, "8:59", "t must be a time between 09:00 and 18:00, got 08:59");
    }
  }

  // ---- select, radio, checkbox ----

  @Nested
  class Choices {
    @ParameterizedTest
    @EnumSource(value = FieldType.class, names = {"SELECT", "RADIO"})
    void mustBeOneOfTheOptions(FieldType type) {
      FieldDefinition style = withOptions("style", type, "documentary", "classic", "editorial");
      assertEquals("classic", FieldRules.validate(style, "classic"));
      rejected(style, "Classic", "style must be one of documentary, classic, editorial, got 'Classic'");
      rejected(style, " classic", "must be one of");
      rejected(style, 1, "must be one of the options, got the number 1");
      rejected(style, new JsonArray().add("classic"), "must be one of the options, got a list");
    }

    @Test
    void selectWithoutOptions() {
      rejected(def("style", FieldType.SELECT), "classic", "style has no options to choose from");
    }

    @Test
    void booleanCheckbox() {
      FieldDefinition drone = def("drone", FieldType.CHECKBOX);
      assertEquals(true, FieldRules.validate(drone, true));
      assertEquals(false, FieldRules.validate(drone, false));
      rejected(drone, "true", "drone must be true or false, got text 'true'");
      rejected(drone, 1, "must be true or false, got the number 1");
      rejected(drone, "", "must be true or false");
    }

    @Test
    void multiChoiceCheckboxNormalizedToOptionOrder() {
      FieldDefinition extras = withOptions("extras", FieldType.CHECKBOX, "album", "drone", "video");
      assertEquals(new JsonArray().add("album").add("video"),
          FieldRules.validate(extras, new JsonArray().add("video").add("album")));
      assertEquals(new JsonArray().add("drone"), FieldRules.validate(extras, List.of("drone")));
      rejected(extras, new JsonArray().add("drone").add("drone"), "extras lists 'drone' more than once");
      rejected(extras, new JsonArray().add("boat"), "may contain only album, drone, video, got 'boat'");
      rejected(extras, new JsonArray().add(3), "may contain only album, drone, video, got the number 3");
      rejected(extras, true, "must be a list of options, got true");
    }
  }

  // ---- list ----

  @Nested
  class Lists {
    final FieldDefinition shots = def("shot_list", FieldType.LIST, "{\"maxItems\":200}");

    static JsonObject item(String id) {
      return new JsonObject().put("id", id).put("text", "Shot " + id);
    }

    @Test
    void acceptedAsSent() {
      JsonArray value = new JsonArray().add(item("a")).add(item("b").put("done", true).put("tags", new JsonArray()));
      assertEquals(value, FieldRules.validate(shots, value));
      assertEquals(new JsonArray().add(new JsonObject().put("id", "x")),
          FieldRules.validate(shots, List.of(Map.of("id", "x"))));
    }

    @Test
    void shape() {
      rejected(shots, "a", "shot_list must be a list, got text 'a'");
      rejected(shots, new JsonObject(), "must be a list, got an object");
      rejected(shots, new JsonArray().add("a"), "item 1 must be an object with an \"id\", got text 'a'");
      rejected(shots, new JsonArray().add(item("a")).add(new JsonObject().put("text", "x")),
          "item 2 needs a text \"id\" of 1 to 64 characters");
    }

    @Test
    void ids() {
      assertEquals(1, ((JsonArray) FieldRules.validate(shots, new JsonArray().add(item(repeat("i", 64))))).size());
      rejected(shots, new JsonArray().add(item(repeat("i", 65))), "item 1 needs a text \"id\"");
      rejected(shots, new JsonArray().add(item("")), "item 1 needs a text \"id\"");
      rejected(shots, new JsonArray().add(new JsonObject().put("id", 7)), "item 1 needs a text \"id\"");
      rejected(shots, new JsonArray().add(item("a\nb")), "item 1 needs a text \"id\"");
      rejected(shots, new JsonArray().add(item("a")).add(item("b")).add(item("a")),
          "shot_list has more than one item with id 'a'");
    }

    @Test
    void itemCount() {
      JsonArray items = new JsonArray();
      for (int i = 0; i < 200; i++) items.add(item("s" + i));
      assertEquals(200, ((JsonArray) FieldRules.validate(shots, items)).size());
      rejected(shots, items.copy().add(item("s200")), "may have at most 200 items, got 201");

      FieldDefinition dietary = def("dietary", FieldType.LIST);
      JsonArray many = new JsonArray();
      for (int i = 0; i < 501; i++) many.add(new JsonObject().put("id", "d" + i));
      rejected(dietary, many, "may have at most 500 items, got 501");
    }

    @Test
    void itemSize() {
      JsonObject big = new JsonObject().put("id", "a").put("text", repeat("x", 2100));
      rejected(shots, new JsonArray().add(big), "item 1 is too large: ");
      JsonObject fits = new JsonObject().put("id", "a").put("text", repeat("x", 2000));
      assertEquals(1, ((JsonArray) FieldRules.validate(shots, new JsonArray().add(fits))).size());
    }

    @Test
    void unstorableContent() {
      rejected(shots, new JsonArray().add(item("a").put("note", "nul\u0000")), "contains U+0000 (NUL) at position 3, which cannot be stored");
      rejected(shots, new JsonArray().add(item("a").put("nested", new JsonArray().add("\uDC00"))),
          "nested[0] contains an unpaired UTF-16 surrogate");
      rejected(shots, new JsonArray().add(item("a").put("n", Double.POSITIVE_INFINITY)), "n is not a finite number");
    }

    @Test
    void singleItemForAppend() {
      assertEquals(item("a"), FieldRules.validateListItem(shots, item("a")));
      ChannelError e = assertThrows(ChannelError.class, () -> FieldRules.validateListItem(shots, "a"));
      assertEquals("shot_list", e.response().getString("field"));
      assertTrue(e.getMessage().contains("shot_list item must be an object"), e.getMessage());
    }
  }

  // ---- progress ----

  @Nested
  class Progress {
    @Test
    void isFilled() {
      FieldDefinition guests = def("guest_count", FieldType.NUMBER, "{\"min\":0,\"max\":1000}");
      assertFalse(FieldRules.isFilled(guests, null));
      assertTrue(FieldRules.isFilled(guests, 0));
      assertFalse(FieldRules.isFilled(guests, 1500), "an invalid stored value does not count");

      FieldDefinition name = def("name", FieldType.TEXT);
      assertFalse(FieldRules.isFilled(name, ""));
      assertFalse(FieldRules.isFilled(name, "   "));
      assertTrue(FieldRules.isFilled(name, "Emma"));

      FieldDefinition drone = def("drone", FieldType.CHECKBOX);
      assertFalse(FieldRules.isFilled(drone, false));
      assertTrue(FieldRules.isFilled(drone, true));

      FieldDefinition extras = withOptions("extras", FieldType.CHECKBOX, "a", "b");
      assertFalse(FieldRules.isFilled(extras, new JsonArray()));
      assertTrue(FieldRules.isFilled(extras, new JsonArray().add("b")));

      FieldDefinition shots = def("shots", FieldType.LIST);
      assertFalse(FieldRules.isFilled(shots, new JsonArray()));
      assertTrue(FieldRules.isFilled(shots, new JsonArray().add(new JsonObject().put("id", "1"))));

      assertTrue(FieldRules.isFilled(withOptions("style", FieldType.SELECT, "classic"), "classic"));
      assertFalse(FieldRules.isFilled(withOptions("style", FieldType.SELECT, "classic"), "modern"));
      assertTrue(FieldRules.isFilled(required(def("d", FieldType.DATE)), "2027-06-12"));
    }

    @ParameterizedTest
    @CsvSource({"0, 0, 100", "3, 0, 100", "0, 3, 0", "1, 3, 33", "2, 3, 66", "3, 3, 100", "199, 200, 99",
        "5, 3, 100", "-1, 3, 0"})
    void percent(int filled, int required, int expected) {
      assertEquals(expected, FieldRules.percent(filled, required));
    }
  }
}
