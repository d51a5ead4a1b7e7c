package com.wedsync.hub.http;

import com.wedsync.hub.channel.ChannelError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.RequestBody;
import io.vertx.openapi.contract.Style;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.transformer.FormTransformer;
import io.vertx.openapi.validation.transformer.LabelTransformer;
import io.vertx.openapi.validation.transformer.MatrixTransformer;
import io.vertx.openapi.validation.transformer.ParameterTransformer;
import io.vertx.openapi.validation.transformer.SimpleTransformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a request the contract refuses becomes: 400 {@code {"error":{"code":"invalid","message","field"}}}, the field
 * naming the parameter ({@code id}) or body property ({@code messages[0].topic}). Everything is read from the
 * validator's structured output, never from its English messages:
 * <ul>
 *   <li>the {@link ValidatorErrorType} says what kind of failure it was;</li>
 *   <li>which parameter failed: the validator checks an operation's parameters in order and stops at the first that
 *       fails, then checks the body, and its exception does not name the parameter; so the parameters are put through
 *       the same public steps (the style's {@link ParameterTransformer}, the contract's schema validator) and the
 *       first that fails is the one — none failing means the body;</li>
 *   <li>for a schema failure, the most specific {@link OutputUnit}: its keyword (the last segment of its keyword
 *       location), the keyword's value (the bound, pattern, format or allowed values: the keyword location resolved in
 *       the schema that was checked) and the offending value (the instance location resolved in what was sent).</li>
 * </ul>
 */
final class ValidationErrors {
  private static final Logger log = LoggerFactory.getLogger(ValidationErrors.class);

  private static final int SHOWN_MAX = 60;
  /** Keywords that only apply subschemas: their failures are reported again, more precisely, below them. */
  private static final Set<String> APPLICATORS = Set.of("properties", "patternProperties", "items", "prefixItems",
      "contains", "propertyNames", "dependentSchemas", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "$ref",
      "$dynamicRef");
  /** Keyword-location segments under which an assertion holds only conditionally. */
  private static final Set<String> CONDITIONAL = Set.of("then", "else", "anyOf", "oneOf", "not");
  private static final Map<Style, ParameterTransformer> TRANSFORMERS = new EnumMap<>(Map.of(
      Style.SIMPLE, new SimpleTransformer(), Style.FORM, new FormTransformer(), Style.LABEL, new LabelTransformer(),
      Style.MATRIX, new MatrixTransformer()));

  private final OpenAPIContract contract;

  ValidationErrors(OpenAPIContract contract) {
    this.contract = contract;
  }

  /** The validator's exception in a routing failure (the RouterBuilder wraps it in a 400 HttpException), or null. */
  static ValidatorException validatorException(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ValidatorException ve) return ve;
    }
    return null;
  }

  /**
   * The answer to a refused request: {@code invalid} naming the field, or {@code unavailable} when the contract could
   * not be applied at all.
   *
   * @param operation the operation whose validation failed
   * @param request   the request as the validator saw it, or null when it could not even be read
   */
  ChannelError refusal(ValidatorException e, Operation operation, ValidatableRequest request) {
    if (e.type() == ValidatorErrorType.MISSING_OPERATION || e.type() == ValidatorErrorType.MISSING_RESPONSE
        || operation == null) {
      log.warn("OpenAPI validation could not run: {}", e.getMessage());
      return new ChannelError("unavailable", "the request could not be checked against the API contract");
    }
    if (request == null) { // the parameters could not be decoded (a malformed %-escape)
      return ChannelError.invalid("request", "the request's parameters cannot be decoded");
    }
    ParameterFailure parameter = failingParameter(operation, request);
    return parameter != null ? parameterRefusal(e, parameter) : bodyRefusal(e, operation, request);
  }

  // ---- parameters -------------------------------------------------------------------------------------------------

  /** A parameter that fails: its raw value (null: missing), the value as the schema saw it and the schema's output. */
  private record ParameterFailure(Parameter parameter, String raw, Object value, OutputUnit result) {}

  /** The first parameter, in the validator's order, that fails the validator's own steps; null when all pass. */
  private ParameterFailure failingParameter(Operation operation, ValidatableRequest request) {
    for (Parameter p : operation.getParameters()) {
      Map<String, RequestParameter> values = switch (p.getIn()) {
        case PATH -> request.getPathParameters();
        case QUERY -> request.getQuery();
        case HEADER -> request.getHeaders();
        case COOKIE -> request.getCookies();
      };
      RequestParameter value = values == null ? null : values.get(p.getName());
      if (value == null || value.isNull()) {
        if (p.isRequired()) return new ParameterFailure(p, null, null, null);
        continue;
      }
      String raw = String.valueOf(value.get());
      ParameterTransformer transformer = TRANSFORMERS.get(p.getStyle());
      if (transformer == null) return new ParameterFailure(p, raw, null, null);
      Object transformed;
      try {
        transformed = transformer.transform(p, raw);
      } catch (RuntimeException unreadable) {
        return new ParameterFailure(p, raw, null, null);
      }
      OutputUnit result = contract.getSchemaRepository().validator(p.getSchema()).validate(transformed);
      if (!Boolean.TRUE.equals(result.getValid())) return new ParameterFailure(p, raw, transformed, result);
    }
    return null;
  }

  private ChannelError parameterRefusal(ValidatorException e, ParameterFailure f) {
    Parameter p = f.parameter();
    String where = p.getIn().name().toLowerCase(Locale.ROOT) + " parameter " + p.getName();
    if (f.raw() == null) return ChannelError.invalid(p.getName(), where + " is required");
    String sent = shown(f.raw());
    OutputUnit output = e instanceof SchemaValidationException se && se.getOutputUnit() != null
        ? se.getOutputUnit() : f.result();
    Failure leaf = output == null ? null : mostSpecific(output);
    if (leaf == null) return ChannelError.invalid(p.getName(), where + " cannot be read, got " + sent);
    Object keywordValue = schemaAt(json(p.getSchema()), leaf.keywordLocation());
    Object parent = schemaAt(json(p.getSchema()), parentOf(leaf.keywordLocation()));
    Phrase phrase = describe(leaf, keywordValue, parent instanceof JsonObject o ? o : new JsonObject(), f.value());
    // A parameter arrives as text: show what was sent, unless the rule measured something else (a bound, a length).
    return ChannelError.invalid(p.getName(), where + " " + phrase.rule() + ", got "
        + (phrase.measured() != null ? phrase.measured() : sent));
  }

  // ---- the body ---------------------------------------------------------------------------------------------------

  private ChannelError bodyRefusal(ValidatorException e, Operation operation, ValidatableRequest request) {
    if (!(e instanceof SchemaValidationException se) || se.getOutputUnit() == null) {
      return switch (e.type()) {
        case MISSING_REQUIRED_PARAMETER -> ChannelError.invalid("body", "a JSON object body is required");
        case UNSUPPORTED_VALUE_FORMAT -> ChannelError.invalid("content-type", "the body must be "
            + String.join(" or ", mediaTypes(operation)) + ", got content-type "
            + (request.getContentType() == null ? "none" : shown(request.getContentType())));
        case ILLEGAL_VALUE -> ChannelError.invalid("body", "body is not valid JSON");
        default -> ChannelError.invalid("body", "body does not match the API contract: " + e.getMessage());
      };
    }
    Failure leaf = mostSpecific(se.getOutputUnit());
    if (leaf == null) return ChannelError.invalid("body", "body does not match the API contract");
    JsonObject schema = bodySchema(operation, request);
    Object body = body(request);
    Object keywordValue = schemaAt(schema, leaf.keywordLocation());
    Object parentValue = schemaAt(schema, parentOf(leaf.keywordLocation()));
    JsonObject parent = parentValue instanceof JsonObject o ? o : new JsonObject();
    Object instance = instanceAt(body, leaf.instanceLocation());
    String at = fieldName(leaf.instanceLocation());

    switch (leaf.keyword()) {
      case "required": {
        String missing = null;
        if (keywordValue instanceof JsonArray names) {
          for (Object name : names) {
            if (!(instance instanceof JsonObject o) || !o.containsKey(String.valueOf(name))) {
              missing = String.valueOf(name);
              break;
            }
          }
        }
        String field = missing == null ? (at.isEmpty() ? "body" : at) : join(at, missing);
        // A requirement that holds only in some cases ("if … then required") says which, in its own description.
        String condition = leaf.conditional() ? parent.getString("description") : null;
        return ChannelError.invalid(field, condition != null ? condition : field + " is required");
      }
      case "additionalProperties":
      case "unevaluatedProperties": {
        JsonObject properties = parent.getJsonObject("properties", new JsonObject());
        String field = at;
        if (instance instanceof JsonObject o) { // the location is the object: name its first unknown property
          for (String key : o.fieldNames()) {
            if (!properties.containsKey(key)) {
              field = join(at, key);
              break;
            }
          }
        }
        if (field.isEmpty()) field = "body";
        String allowed = properties.isEmpty() ? "" : " (allowed: " + String.join(", ", properties.fieldNames()) + ")";
        return ChannelError.invalid(field, field + " is not an accepted property" + allowed);
      }
      default: {
        String field = at.isEmpty() ? "body" : at;
        Phrase phrase = describe(leaf, keywordValue, parent, instance);
        // In JSON the kind of value sent is what a type error is about; elsewhere the value itself, when short.
        String got = phrase.measured() != null ? phrase.measured()
            : leaf.keyword().equals("type") ? kind(instance) : phrase.showsValue() ? scalar(instance) : null;
        return ChannelError.invalid(field, field + " " + phrase.rule() + (got == null ? "" : ", got " + got));
      }
    }
  }

  private static List<String> mediaTypes(Operation operation) {
    RequestBody body = operation.getRequestBody();
    return body == null ? List.of("JSON") : List.copyOf(body.getContent().keySet());
  }

  /** The schema the body was checked against: that of the media type the request was sent as. */
  private static JsonObject bodySchema(Operation operation, ValidatableRequest request) {
    RequestBody body = operation.getRequestBody();
    if (body == null) return new JsonObject();
    MediaType type = request.getContentType() == null ? null : body.determineContentType(request.getContentType());
    if (type == null && !body.getContent().isEmpty()) type = body.getContent().values().iterator().next();
    return type == null || type.getSchema() == null ? new JsonObject() : json(type.getSchema());
  }

  private static Object body(ValidatableRequest request) {
    RequestParameter body = request.getBody();
    if (body == null || body.isNull() || !(body.get() instanceof Buffer buffer)) return null;
    try {
      return Json.decodeValue(buffer);
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  // ---- the output units ---------------------------------------------------------------------------------------------

  /** One failed assertion: where in the schema (and whether only under a condition), where in the instance. */
  private record Failure(String keyword, String keywordLocation, String instanceLocation, boolean conditional,
                         String error) {}

  /**
   * The failure that says what is wrong rather than where: an assertion (not an applicator, and not the parent of
   * another failure's location), preferring one that holds unconditionally; the validator lists parents first.
   */
  private static Failure mostSpecific(OutputUnit result) {
    List<OutputUnit> all = new ArrayList<>();
    collect(result, all);
    Failure conditional = null;
    Failure last = null;
    for (OutputUnit u : all) {
      String location = u.getKeywordLocation();
      if (location == null) continue;
      List<String> segments = segments(location);
      if (segments.isEmpty()) continue;
      boolean underCondition = segments.subList(0, segments.size() - 1).stream().anyMatch(CONDITIONAL::contains);
      Failure f = new Failure(segments.get(segments.size() - 1), location, u.getInstanceLocation(), underCondition,
          u.getError());
      last = f;
      if (APPLICATORS.contains(f.keyword())) continue;
      boolean parentOfAnother = all.stream().anyMatch(o -> o.getKeywordLocation() != null
          && o.getKeywordLocation().startsWith(location + "/"));
      if (parentOfAnother) continue;
      if (!underCondition) return f;
      if (conditional == null) conditional = f;
    }
    return conditional != null ? conditional : last;
  }

  private static void collect(OutputUnit unit, List<OutputUnit> into) {
    if (unit.getErrors() == null) return;
    for (OutputUnit u : unit.getErrors()) {
      into.add(u);
      collect(u, into);
    }
  }

  /**
   * A rule in words, from its keyword and the keyword's value in the schema: {@code rule} reads after the field's
   * name; {@code measured} is what the rule measured of the value (the number, a length, a count), if anything;
   * otherwise {@code showsValue} says whether showing the value sent helps.
   */
  private record Phrase(String rule, String measured, boolean showsValue) {}

  private static Phrase describe(Failure leaf, Object value, JsonObject parent, Object instance) {
    String keyword = leaf.keyword();
    switch (keyword) {
      case "type":
        return new Phrase("must be " + types(value), null, false);
      case "format":
        return new Phrase(format(String.valueOf(value)), null, true);
      case "pattern":
        // A pattern that backs a format (a UUID's) is described as the format.
        return new Phrase(parent.getValue("format") instanceof String f ? format(f) : "must match " + value, null, true);
      case "enum":
        return new Phrase("must be one of " + list(value), null, true);
      case "const":
        return new Phrase("must be " + Json.encode(value), null, true);
      case "minimum":
        return new Phrase("must be at least " + value, String.valueOf(instance), false);
      case "maximum":
        return new Phrase("must be at most " + value, String.valueOf(instance), false);
      case "exclusiveMinimum":
        return new Phrase("must be greater than " + value, String.valueOf(instance), false);
      case "exclusiveMaximum":
        return new Phrase("must be less than " + value, String.valueOf(instance), false);
      case "multipleOf":
        return new Phrase("must be a multiple of " + value, String.valueOf(instance), false);
      case "minLength":
      case "maxLength":
        return new Phrase("must be " + bound(keyword, value, "character"),
            instance instanceof String s ? String.valueOf(s.codePointCount(0, s.length())) : null, true);
      case "minItems":
      case "maxItems":
        return new Phrase("must have " + bound(keyword, value, "item"),
            instance instanceof JsonArray a ? String.valueOf(a.size()) : null, false);
      case "minProperties":
      case "maxProperties":
        return new Phrase("must have " + bound(keyword, value, "property"),
            instance instanceof JsonObject o ? String.valueOf(o.size()) : null, false);
      case "uniqueItems":
        return new Phrase("must not list an item twice", null, false);
      case "required":
        return new Phrase("needs the properties " + list(value), null, false);
      default:
        // A rule without words here: name the keyword and pass the validator's own text along, as it is.
        return new Phrase("does not satisfy the contract's " + keyword + " rule"
            + (leaf.error() == null ? "" : " (" + leaf.error() + ")"), null, false);
    }
  }

  private static String bound(String keyword, Object value, String unit) {
    String plural = unit.equals("property") ? "properties" : unit + "s";
    return (keyword.startsWith("min") ? "at least " : "at most ") + value + " "
        + (value instanceof Number n && n.longValue() == 1 ? unit : plural);
  }

  private static String format(String format) {
    return switch (format) {
      case "uuid" -> "must be a UUID";
      case "date" -> "must be a date (YYYY-MM-DD)";
      case "date-time" -> "must be a date and time (RFC 3339)";
      case "time" -> "must be a time (RFC 3339)";
      case "email" -> "must be an email address";
      case "uri" -> "must be a URI";
      case "int32" -> "must be a whole number that fits in 32 bits";
      case "int64" -> "must be a whole number that fits in 64 bits";
      default -> "must be in the format " + format;
    };
  }

  /** A schema's type (a name or a list of names) as the hub words it. */
  private static String types(Object value) {
    List<String> out = new ArrayList<>();
    for (Object t : value instanceof JsonArray a ? a.getList() : List.of(String.valueOf(value))) {
      out.add(switch (String.valueOf(t)) {
        case "integer" -> "a whole number";
        case "number" -> "a number";
        case "string" -> "a string";
        case "object" -> "an object";
        case "array" -> "an array";
        case "boolean" -> "true or false";
        case "null" -> "null";
        default -> String.valueOf(t);
      });
    }
    return String.join(" or ", out);
  }

  /** What kind of JSON value was sent. */
  private static String kind(Object instance) {
    if (instance == null) return "null";
    if (instance instanceof String) return "a string";
    if (instance instanceof Boolean) return "a boolean";
    if (instance instanceof JsonObject || instance instanceof Map) return "an object";
    if (instance instanceof JsonArray || instance instanceof List) return "an array";
    if (instance instanceof Integer || instance instanceof Long || instance instanceof java.math.BigInteger) {
      return "a whole number";
    }
    if (instance instanceof Number) return "a number";
    return "a value";
  }

  private static String list(Object value) {
    if (!(value instanceof JsonArray a)) return String.valueOf(value);
    List<String> names = new ArrayList<>();
    for (Object v : a) names.add(String.valueOf(v));
    return String.join(", ", names);
  }

  private static String scalar(Object instance) {
    if (instance instanceof String s) return shown(s);
    if (instance instanceof Number || instance instanceof Boolean) return String.valueOf(instance);
    return null;
  }

  private static String shown(String raw) {
    String s = raw.length() > SHOWN_MAX ? raw.substring(0, SHOWN_MAX) + "…" : raw;
    return "'" + s + "'";
  }

  // ---- JSON pointers ----------------------------------------------------------------------------------------------

  private static JsonObject json(JsonSchema schema) {
    if (schema instanceof JsonObject o) return o;
    JsonObject out = new JsonObject();
    if (schema != null) for (String key : schema.fieldNames()) out.put(key, schema.get(key));
    return out;
  }

  /**
   * The schema value at a keyword location ({@code #/properties/messages/items/$ref/properties/event/type}): a
   * {@code $ref} segment follows the reference (the contract has usually inlined it already, then it stays put).
   */
  private Object schemaAt(JsonObject schema, String location) {
    Object node = schema;
    for (String segment : segments(location)) {
      if (segment.equals("$ref") || segment.equals("$dynamicRef")) {
        if (node instanceof JsonObject o && o.getValue(segment) instanceof String ref) node = resolve(ref);
        continue;
      }
      node = child(node, segment);
      if (node == null) return null;
    }
    return node;
  }

  /** A reference within the document ({@code #/components/schemas/Uuid}, maybe with a base URI before the '#'). */
  private Object resolve(String ref) {
    int hash = ref.indexOf('#');
    Object node = contract.getRawContract();
    for (String segment : segments(hash < 0 ? "" : ref.substring(hash))) {
      node = child(node, segment);
      if (node == null) return null;
    }
    return node;
  }

  /** The value sent at an instance location ({@code #/messages/0/event}). */
  private static Object instanceAt(Object instance, String location) {
    Object node = instance;
    for (String segment : segments(location)) {
      node = child(node, segment);
      if (node == null) return null;
    }
    return node;
  }

  private static Object child(Object node, String segment) {
    if (node instanceof JsonObject o) return o.getValue(segment);
    if (node instanceof JsonArray a) {
      try {
        int i = Integer.parseInt(segment);
        return i >= 0 && i < a.size() ? a.getValue(i) : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /** A JSON pointer's segments, unescaped ({@code #/a~1b/0} → {@code a/b}, {@code 0}). */
  static List<String> segments(String pointer) {
    if (pointer == null) return List.of();
    String p = pointer.startsWith("#") ? pointer.substring(1) : pointer;
    if (p.isEmpty() || p.equals("/")) return List.of();
    List<String> out = new ArrayList<>();
    for (String s : p.substring(p.startsWith("/") ? 1 : 0).split("/", -1)) {
      out.add(s.replace("~1", "/").replace("~0", "~"));
    }
    return out;
  }

  private static String parentOf(String location) {
    int slash = location == null ? -1 : location.lastIndexOf('/');
    return slash < 0 ? "#" : location.substring(0, slash);
  }

  /** An instance location as the hub names fields: {@code #/messages/0/topic} → {@code messages[0].topic}. */
  static String fieldName(String pointer) {
    StringBuilder out = new StringBuilder();
    for (String s : segments(pointer)) {
      if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
        out.append('[').append(s).append(']');
      } else {
        if (out.length() > 0) out.append('.');
        out.append(s);
      }
    }
    return out.toString();
  }

  private static String join(String parent, String property) {
    return parent.isEmpty() ? property : parent + "." + property;
  }
}
