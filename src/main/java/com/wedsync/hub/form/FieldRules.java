package com.wedsync.hub.form;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.ClientText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a value a client wants to store against its field's definition (docs/protocol.md §5.16) and returns the
 * normalized value to store, or refuses with {@code invalid} {@code {"field","detail"}} (docs/protocol.md §5). Every
 * detail names the field key and says what was wrong, e.g. "guest_count must be a number between 0 and 1000, got 1500".
 *
 * <p>Normalization, per type:
 * <ul>
 *   <li>empty — null, a blank string, or an empty array for list/multi-checkbox — is refused when the field is
 *       required; otherwise text/textarea keep the string as sent, lists become {@code []}, everything else null
 *       (clearing a date, number or select input sends "" and means "no value");</li>
 *   <li>text, textarea: kept exactly as sent (textarea positions are used by text OT, so nothing may shift);</li>
 *   <li>email: trimmed, domain lower-cased (the local part is case-sensitive in theory, so it is kept);</li>
 *   <li>phone: trimmed, runs of whitespace collapsed to one space;</li>
 *   <li>number, slider: Long when integral (2.0 → 2), else Double;</li>
 *   <li>date: "YYYY-MM-DD"; time: "HH:MM" — "9:30" and "09:30:00" are accepted (pickers and PostgreSQL send them)
 *       and become "09:30", but non-zero seconds are refused rather than silently dropped;</li>
 *   <li>multi-checkbox: the chosen options in the order the options are defined, so equal choices compare equal;</li>
 *   <li>list: a new array holding the same item objects.</li>
 * </ul>
 */
public final class FieldRules {

  static final int TEXT_MAX_LENGTH = 500;
  static final int TEXTAREA_MAX_LENGTH = 10_000;
  static final int LIST_MAX_ITEMS = 500;
  static final int ITEM_MAX_BYTES = 2048;
  static final int ITEM_ID_MAX_LENGTH = 64;

  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern TIME = Pattern.compile("(\\d{1,2}):(\\d{2})(?::(\\d{2}))?");
  private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");
  // RFC 5322 "dot-atom" local part and a DNS host name with an alphabetic TLD: strict enough to catch typos,
  // loose enough for real addresses. Unambiguous (dots separate the repeated parts), so matching is linear.
  private static final String ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
  private static final Pattern EMAIL = Pattern.compile(
      "(" + ATOM + "(?:\\." + ATOM + ")*)@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63})");
  private static final Pattern PHONE = Pattern.compile("\\+?[0-9 ()-]+");
  private static final Pattern WHITESPACE_RUN = Pattern.compile("[\\s\\u00A0\\u2007\\u202F]+");

  /** Supplier-defined patterns, compiled once. Bounded crudely: definitions are few, so a reset is rare. */
  private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();
  /** How many characters a supplier's pattern may read while matching one value (see {@link BudgetedChars}). */
  private static final int PATTERN_BUDGET = 1_000_000;

  private FieldRules() {}

  /** Returns the normalized value to store, or throws {@link ChannelError} {@code invalid} naming the field. */
  public static Object validate(FieldDefinition def, Object value) {
    Object v = jsonShape(value);
    if (isEmpty(def, v)) {
      if (def.required()) throw invalid(def, "is required");
      return cleared(def, v);
    }
    return switch (def.type()) {
      case TEXT -> text(def, v, false);
      case TEXTAREA -> text(def, v, true);
      case EMAIL -> email(def, v);
      case PHONE -> phone(def, v);
      case NUMBER, SLIDER -> number(def, v);
      case DATE -> date(def, v);
      case TIME -> time(def, v);
      case SELECT, RADIO -> choice(def, v);
      case CHECKBOX -> checkbox(def, v);
      case LIST -> list(def, v);
    };
  }

  /**
   * True when the value counts towards completion: present, not blank, not an empty list, not an unticked
   * checkbox, and valid for the field.
   */
  public static boolean isFilled(FieldDefinition def, Object value) {
    Object v = jsonShape(value);
    if (v == null || Boolean.FALSE.equals(v)) return false;
    if (v instanceof String s && s.isBlank()) return false;
    if (v instanceof JsonArray a && a.isEmpty()) return false;
    try {
      validate(def, v);
      return true;
    } catch (ChannelError e) {
      return false;
    }
  }

  /**
   * Completion percentage for {@code form:progress}. Rounded down, so 100 means every required field is filled
   * (it triggers the "form completed" notification); a form without required fields is complete.
   */
  public static int percent(int filled, int required) {
    if (required <= 0) return 100;
    int f = Math.max(0, Math.min(filled, required));
    return (int) ((long) f * 100 / required);
  }

  /**
   * Checks one list item on its own (for {@code field:list} append, before it is merged): a JSON object with a string
   * "id" of 1–64 characters, at most 2 KB encoded. Uniqueness and the item count are checked on the merged list by
   * {@link #validate}.
   */
  public static JsonObject validateListItem(FieldDefinition def, Object item) {
    return listItem(def, jsonShape(item), "item");
  }

  // ---- emptiness ----

  private static boolean isEmpty(FieldDefinition def, Object v) {
    if (v == null) return true;
    // A blank string clears any string-entered input; for a list or a checkbox it is simply the wrong type.
    if (v instanceof String s) return s.isBlank() && def.type() != FieldType.LIST && def.type() != FieldType.CHECKBOX;
    if (v instanceof JsonArray a) return a.isEmpty() && takesArray(def);
    return false;
  }

  private static Object cleared(FieldDefinition def, Object v) {
    if (v instanceof String s && (def.type() == FieldType.TEXT || def.type() == FieldType.TEXTAREA)) {
      checkCharacters(def, s, def.type() == FieldType.TEXTAREA); // whitespace-only may still hide control characters
      return s;
    }
    return v instanceof JsonArray ? new JsonArray() : null;
  }

  private static boolean takesArray(FieldDefinition def) {
    return def.type() == FieldType.LIST || (def.type() == FieldType.CHECKBOX && !options(def).isEmpty());
  }

  // ---- strings ----

  private static String text(FieldDefinition def, Object v, boolean textarea) {
    String s = string(def, v, "text");
    checkCharacters(def, s, textarea);
    lengthAndPattern(def, s, textarea ? TEXTAREA_MAX_LENGTH : TEXT_MAX_LENGTH);
    return s;
  }

  private static String email(FieldDefinition def, Object v) {
    String s = string(def, v, "an email address").trim();
    Matcher m = s.length() <= 254 ? EMAIL.matcher(s) : null;
    if (m == null || !m.matches() || m.group(1).length() > 64) {
      throw invalid(def, "must be an email address like name@example.com, got " + shown(s));
    }
    String normalized = m.group(1) + "@" + m.group(2).toLowerCase(Locale.ROOT);
    lengthAndPattern(def, normalized, TEXT_MAX_LENGTH);
    return normalized;
  }

  private static String phone(FieldDefinition def, Object v) {
    String s = WHITESPACE_RUN.matcher(string(def, v, "a phone number").trim()).replaceAll(" ");
    if (!PHONE.matcher(s).matches()) {
      throw invalid(def, "may contain only digits, spaces, dashes, parentheses and a leading +, got " + shown(s));
    }
    long digits = s.chars().filter(c -> c >= '0' && c <= '9').count();
    if (digits < 6 || digits > 20) throw invalid(def, "must have 6 to 20 digits, got " + digits);
    lengthAndPattern(def, s, TEXT_MAX_LENGTH);
    return s;
  }

  private static String choice(FieldDefinition def, Object v) {
    String s = string(def, v, "one of the options");
    List<String> options = options(def);
    if (options.isEmpty()) throw invalid(def, "has no options to choose from");
    if (!options.contains(s)) throw invalid(def, "must be one of " + String.join(", ", options) + ", got " + shown(s));
    return s;
  }

  /** Refuses characters that are invisible in a form or break storage: controls and unpaired surrogates. */
  private static void checkCharacters(FieldDefinition def, String s, boolean multiLine) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw invalid(def, "contains invalid Unicode (an unpaired surrogate) at position " + i);
      } else if (Character.getType(c) == Character.CONTROL && !(multiLine && (c == '\n' || c == '\t'))) {
        throw invalid(def, "contains a control character (U+" + String.format("%04X", (int) c) + ") at position "
            + i + (multiLine ? "; only line breaks and tabs are allowed" : "; line breaks are not allowed here"));
      }
    }
  }

  private static void lengthAndPattern(FieldDefinition def, String s, int defaultMax) {
    int length = s.codePointCount(0, s.length()); // code points, like the text OT positions
    int max = intRule(def, "maxLength", defaultMax);
    if (length > max) throw invalid(def, "must be at most " + max + " characters, got " + length);
    int min = intRule(def, "minLength", 0);
    if (length < min) throw invalid(def, "must be at least " + min + " characters, got " + length);
    Object pattern = def.validation().getValue("pattern");
    if (pattern == null) return;
    if (!(pattern instanceof String p)) throw badRule(def, "pattern");
    if (!matches(compiled(def, p), s)) throw invalid(def, "does not match the required format, got " + shown(s));
  }

  private static Pattern compiled(FieldDefinition def, String regex) {
    Pattern p = PATTERNS.get(regex);
    if (p != null) return p;
    try {
      p = Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw badRule(def, "pattern");
    }
    if (PATTERNS.size() > 1000) PATTERNS.clear();
    PATTERNS.put(regex, p);
    return p;
  }

  /** Anchored match (the whole value must match) that gives up — as "no match" — on catastrophic backtracking. */
  private static boolean matches(Pattern p, String s) {
    try {
      return p.matcher(new BudgetedChars(s, new int[] {PATTERN_BUDGET})).matches();
    } catch (BudgetExceeded e) {
      return false;
    }
  }

  /**
   * A supplier writes the pattern and a client writes the value, so a pattern like {@code (a+)+$} could pin an
   * event-loop thread. Java's regex engine reads its input only through charAt, so counting those reads bounds it.
   */
  private record BudgetedChars(String s, int[] budget) implements CharSequence {
    @Override
    public char charAt(int index) {
      if (--budget[0] < 0) throw BudgetExceeded.INSTANCE;
      return s.charAt(index);
    }

    @Override
    public int length() {
      return s.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new BudgetedChars(s.substring(start, end), budget);
    }

    @Override
    public String toString() {
      return s;
    }
  }

  private static final class BudgetExceeded extends RuntimeException {
    static final BudgetExceeded INSTANCE = new BudgetExceeded();

    private BudgetExceeded() {
      super("pattern budget exceeded", null, false, false);
    }
  }

  // ---- numbers ----

  private static Object number(FieldDefinition def, Object v) {
    if (!(v instanceof Number n)) throw wrongType(def, "a number", v);
    BigDecimal d = decimal(n);
    if (d == null) throw invalid(def, "must be a finite number");
    boolean slider = def.type() == FieldType.SLIDER;
    // A slider is a range input; the browser defaults to min 0, max 100, step 1, so the server agrees with it.
    BigDecimal min = numRule(def, "min", slider ? BigDecimal.ZERO : null);
    BigDecimal max = numRule(def, "max", slider ? BigDecimal.valueOf(100) : null);
    BigDecimal step = numRule(def, "step", slider ? BigDecimal.ONE : null);
    Object normalized = normalize(d);
    if ((min != null && d.compareTo(min) < 0) || (max != null && d.compareTo(max) > 0)) {
      String range = min == null ? "at most " + normalize(max)
          : max == null ? "at least " + normalize(min)
          : "a number between " + normalize(min) + " and " + normalize(max);
      throw invalid(def, "must be " + range + ", got " + normalized);
    }
    // A field bound to a whole-number fact (guest count) is whole too: the wedding could not take 1.5 guests.
    boolean whole = Boolean.TRUE.equals(def.validation().getValue("integer")) || CoreCascade.isWhole(def.coreField());
    if (whole && !(normalized instanceof Long)) {
      throw invalid(def, "must be a whole number, got " + normalized);
    }
    if (step != null) {
      if (step.signum() <= 0) throw badRule(def, "step");
      BigDecimal base = min == null ? BigDecimal.ZERO : min; // steps count from min, as in HTML
      if (d.subtract(base).remainder(step).signum() != 0) {
        throw invalid(def, "must be in steps of " + normalize(step) + " from " + normalize(base) + ", got " + normalized);
      }
    }
    return normalized;
  }

  /** Exact decimal of a JSON number (BigDecimal keeps 0.1 + steps exact), or null when not finite. */
  private static BigDecimal decimal(Number n) {
    if (n instanceof BigDecimal b) return b;
    if (n instanceof BigInteger b) return new BigDecimal(b);
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return BigDecimal.valueOf(n.longValue());
    }
    double d = n.doubleValue();
    return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
  }

  /** Long when integral and in range, else Double: one representation per value, so 2 and 2.0 store the same. */
  private static Object normalize(BigDecimal d) {
    BigDecimal s = d.stripTrailingZeros();
    if (s.scale() <= 0 && s.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0
        && s.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0) {
      return s.longValueExact();
    }
    return d.doubleValue();
  }

  // ---- dates and times ----

  private static String date(FieldDefinition def, Object v) {
    String s = string(def, v, "a date").trim();
    if (!DATE.matcher(s).matches()) throw invalid(def, "must be a date as YYYY-MM-DD, got " + shown(s));
    LocalDate d;
    try {
      d = LocalDate.parse(s, DateTimeFormatter.ISO_LOCAL_DATE); // strict: 2027-02-30 is refused, not adjusted
    } catch (DateTimeParseException e) {
      throw invalid(def, "must be a real calendar date, got " + shown(s));
    }
    LocalDate min = dateRule(def, "min");
    LocalDate max = dateRule(def, "max");
    checkTemporalRange(def, "a date", min, max, d);
    return d.toString();
  }

  private static String time(FieldDefinition def, Object v) {
    String s = string(def, v, "a time").trim();
    LocalTime t = parseTime(s);
    if (t == null) throw invalid(def, "must be a time as HH:MM (24-hour), got " + shown(s));
    checkTemporalRange(def, "a time", timeRule(def, "min"), timeRule(def, "max"), t);
    return t.format(HH_MM);
  }

  private static LocalTime parseTime(String s) {
    Matcher m = TIME.matcher(s);
    if (!m.matches()) return null;
    int hour = Integer.parseInt(m.group(1));
    int minute = Integer.parseInt(m.group(2));
    boolean wholeMinute = m.group(3) == null || m.group(3).equals("00");
    return hour <= 23 && minute <= 59 && wholeMinute ? LocalTime.of(hour, minute) : null;
  }

  private static <T extends Comparable<T>> void checkTemporalRange(FieldDefinition def, String noun, T min, T max,
                                                                    T got) {
    if ((min == null || got.compareTo(min) >= 0) && (max == null || got.compareTo(max) <= 0)) return;
    String range = min == null ? "no later than " + max
        : max == null ? "no earlier than " + min
        : noun + " between " + min + " and " + max;
    throw invalid(def, "must be " + range + ", got " + got);
  }

  // ---- choices ----

  private static Object checkbox(FieldDefinition def, Object v) {
    List<String> options = options(def);
    if (options.isEmpty()) {
      if (!(v instanceof Boolean)) throw wrongType(def, "true or false", v);
      return v;
    }
    if (!(v instanceof JsonArray chosen)) throw wrongType(def, "a list of options", v);
    Set<String> seen = new HashSet<>();
    for (Object o : chosen) {
      if (!(o instanceof String s) || !options.contains(s)) {
        throw invalid(def, "may contain only " + String.join(", ", options) + ", got "
            + (o instanceof String s ? shown(s) : describe(o)));
      }
      if (!seen.add(s)) throw invalid(def, "lists " + shown(s) + " more than once");
    }
    JsonArray normalized = new JsonArray();
    for (String option : options) if (seen.contains(option)) normalized.add(option);
    return normalized;
  }

  /** The option strings of a select/radio/checkbox field; anything else in the array is ignored. */
  private static List<String> options(FieldDefinition def) {
    List<String> out = new ArrayList<>();
    if (def.options() != null) for (Object o : def.options()) if (o instanceof String s) out.add(s);
    return out;
  }

  // ---- lists ----

  private static JsonArray list(FieldDefinition def, Object v) {
    if (!(v instanceof JsonArray items)) throw wrongType(def, "a list", v);
    int max = intRule(def, "maxItems", LIST_MAX_ITEMS);
    if (items.size() > max) throw invalid(def, "may have at most " + max + " items, got " + items.size());
    Set<String> ids = new HashSet<>();
    JsonArray out = new JsonArray();
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = listItem(def, items.getValue(i), "item " + (i + 1));
      // Items merge by id (append/remove), so a duplicate id would make a removal ambiguous.
      if (!ids.add(item.getString("id"))) throw invalid(def, "has more than one item with id " + shown(item.getString("id")));
      out.add(item);
    }
    return out;
  }

  private static JsonObject listItem(FieldDefinition def, Object v, String where) {
    if (!(v instanceof JsonObject item)) throw invalid(def, where + " must be an object with an \"id\", got " + describe(v));
    Object id = item.getValue("id");
    if (!(id instanceof String s) || s.isEmpty() || s.codePointCount(0, s.length()) > ITEM_ID_MAX_LENGTH
        || s.chars().anyMatch(c -> Character.getType(c) == Character.CONTROL)) {
      throw invalid(def, where + " needs a text \"id\" of 1 to " + ITEM_ID_MAX_LENGTH + " characters");
    }
    int bytes = item.encode().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > ITEM_MAX_BYTES) throw invalid(def, where + " is too large: " + bytes + " bytes, at most " + ITEM_MAX_BYTES);
    checkStorable(def, where, item);
    return item;
  }

  /** What jsonb could not hold (see {@link ClientText}): refused here too, for values that did not come over the edge. */
  private static void checkStorable(FieldDefinition def, String where, Object v) {
    ClientText.Problem p = ClientText.find(where, v);
    if (p != null) throw invalid(def, p.message());
  }

  // ---- rules from the definition ----

  private static int intRule(FieldDefinition def, String name, int fallback) {
    Object o = def.validation().getValue(name);
    if (o == null) return fallback;
    if (!(o instanceof Number n) || decimal(n) == null || n.doubleValue() < 0) throw badRule(def, name);
    return (int) Math.min(Integer.MAX_VALUE, n.longValue());
  }

  private static BigDecimal numRule(FieldDefinition def, String name, BigDecimal fallback) {
    Object o = def.validation().getValue(name);
    if (o == null) return fallback;
    BigDecimal d = o instanceof Number n ? decimal(n) : null;
    if (d == null) throw badRule(def, name);
    return d;
  }

  private static LocalDate dateRule(FieldDefinition def, String name) {
    Object o = def.validation().getValue(name);
    if (o == null) return null;
    try {
      return LocalDate.parse((String) o, DateTimeFormatter.ISO_LOCAL_DATE);
    } catch (ClassCastException | DateTimeParseException e) {
      throw badRule(def, name);
    }
  }

  private static LocalTime timeRule(FieldDefinition def, String name) {
    Object o = def.validation().getValue(name);
    if (o == null) return null;
    LocalTime t = o instanceof String s ? parseTime(s) : null;
    if (t == null) throw badRule(def, name);
    return t;
  }

  // ---- errors ----

  private static ChannelError invalid(FieldDefinition def, String what) {
    return ChannelError.invalid(def.key(), def.key() + " " + what);
  }

  /**
   * The form's own definition is broken (a supplier typo). Refusing is safer than silently not checking, and the
   * detail says whose fix it is.
   */
  private static ChannelError badRule(FieldDefinition def, String rule) {
    return invalid(def, "has an invalid \"" + rule + "\" rule in its form definition; the form's owner must fix it");
  }

  private static ChannelError wrongType(FieldDefinition def, String expected, Object v) {
    return invalid(def, "must be " + expected + ", got " + describe(v));
  }

  private static String string(FieldDefinition def, Object v, String expected) {
    if (v instanceof String s) return s;
    throw wrongType(def, expected, v);
  }

  private static String describe(Object v) {
    if (v == null) return "nothing";
    if (v instanceof String s) return "text " + shown(s);
    if (v instanceof Number n) return "the number " + (decimal(n) == null ? n : normalize(decimal(n)));
    if (v instanceof Boolean b) return b.toString();
    if (v instanceof JsonArray) return "a list";
    if (v instanceof JsonObject) return "an object";
    return "an unsupported value";
  }

  /** A client's string quoted for a message: shortened, so a 10,000-character paste is not echoed back. */
  private static String shown(String s) {
    int max = 40;
    String cut = s.codePointCount(0, s.length()) <= max ? s : s.substring(0, s.offsetByCodePoints(0, max)) + "…";
    return "'" + cut.replaceAll("\\p{Cntrl}", "?") + "'";
  }

  /** Vert.x wraps decoded maps and lists lazily; accept them unwrapped too, so callers need not care. */
  @SuppressWarnings("unchecked")
  private static Object jsonShape(Object v) {
    if (v instanceof Map<?, ?> m) return new JsonObject((Map<String, Object>) m);
    if (v instanceof List<?> l) return new JsonArray(l);
    return v;
  }
}
