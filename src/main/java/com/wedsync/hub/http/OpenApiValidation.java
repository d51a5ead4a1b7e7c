package com.wedsync.hub.http;

import com.wedsync.hub.channel.ChannelError;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The REST contract (docs/protocol.md §10): serves {@code /api/v1/openapi.json} and validates every request of an operation
 * that has parameters or a body against it (vertx-openapi's {@link RequestValidator}) before the handler runs. A request
 * that does not match is answered 400 {@code {"error":{"code":"invalid","message","field"}}}, the field naming the
 * offending parameter or body property ({@code messages[0].topic}). Routes the contract does not describe are left
 * alone; the handlers keep their own checks (they know the field definitions and give the precise messages).
 *
 * <p>The document is read from the classpath once per JVM; the parsed contract is built once per hub (one instance of
 * this class per {@link HttpApi}) and shared by the routers of every event loop.
 */
public final class OpenApiValidation {
  private static final Logger log = LoggerFactory.getLogger(OpenApiValidation.class);

  /** Classpath location of the contract. */
  public static final String RESOURCE = "openapi/hub-openapi.json";
  /** Where the hub serves it. */
  public static final String PATH = "/api/v1/openapi.json";

  private static final Set<String> METHODS = Set.of("get", "put", "post", "patch", "delete", "head", "options");
  private static final Pattern TYPE_ERROR = Pattern.compile("Instance type (\\S+) is invalid\\. Expected (.+)");
  private static final Pattern REQUIRED_ERROR = Pattern.compile("Instance does not have required property \"(.*)\"");
  private static final Pattern PROPERTY_ERROR = Pattern.compile("Property \"(.*)\" does not match additional properties schema");
  private static final Pattern BOUND_ERROR = Pattern.compile("(\\S+) is (less|greater) than (or equal to )?(\\S+)");
  private static final Pattern SIZE_ERROR = Pattern.compile("\\(\\s*\\+?\\s*(\\d+) ([<>]) (\\d+)\\)");
  private static final int SHOWN_MAX = 60;

  /** The document as served, and its parsed form for routing: loaded once per JVM. */
  private static final class Document {
    static final String TEXT = read();
    static final JsonObject JSON = new JsonObject(TEXT);

    private static String read() {
      try (InputStream in = OpenApiValidation.class.getClassLoader().getResourceAsStream(RESOURCE)) {
        if (in == null) throw new IllegalStateException("the OpenAPI document " + RESOURCE + " is not on the classpath");
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("the OpenAPI document " + RESOURCE + " cannot be read", e);
      }
    }
  }

  private record Loaded(OpenAPIContract contract, RequestValidator validator) {}

  /** An operation of the contract that has something to validate. */
  private record Route(HttpMethod method, String path, String operationId, Set<String> bodyProperties,
                       String conditionalRequirement) {}

  private volatile Future<Loaded> loaded;

  /** The raw document (a copy): for tests and tools. */
  public static JsonObject document() {
    return Document.JSON.copy();
  }

  /**
   * Adds the document's route and one validation route per operation with parameters or a body. Call after the body
   * handlers and before the feature routes. Safe to call from every event loop's router; the contract is parsed once.
   */
  public void install(Router router, Vertx vertx) {
    String text = Document.TEXT;
    router.get(PATH).handler(ctx -> ctx.response().putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-cache").end(text));
    load(vertx);
    for (Route route : routes()) {
      router.route(route.method(), route.path()).handler(ctx -> validate(ctx, route));
    }
  }

  private Future<Loaded> load(Vertx vertx) {
    Future<Loaded> f = loaded;
    if (f != null) return f;
    synchronized (this) {
      if (loaded == null) {
        loaded = OpenAPIContract.from(vertx, Document.JSON.copy())
            .map(contract -> new Loaded(contract, RequestValidator.create(vertx, contract)))
            .onFailure(e -> log.error("the OpenAPI contract {} is invalid: requests it describes are refused", RESOURCE, e));
      }
      return loaded;
    }
  }

  private static List<Route> routes() {
    List<Route> out = new ArrayList<>();
    JsonObject paths = Document.JSON.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (!METHODS.contains(method)) continue;
        JsonObject op = item.getJsonObject(method);
        boolean params = !op.getJsonArray("parameters", new JsonArray()).isEmpty()
            || !item.getJsonArray("parameters", new JsonArray()).isEmpty();
        JsonObject body = op.getJsonObject("requestBody");
        if (!params && body == null) continue; // nothing to check
        JsonObject schema = bodySchema(body);
        JsonObject then = schema.getJsonObject("then", new JsonObject());
        out.add(new Route(HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)), path.replaceAll("\\{([^}/]+)}", ":$1"),
            op.getString("operationId"), schema.getJsonObject("properties", new JsonObject()).fieldNames(),
            then.getString("description")));
      }
    }
    return out;
  }

  /** A body's top-level schema (its $ref followed), to name its properties and conditions in messages. */
  private static JsonObject bodySchema(JsonObject body) {
    if (body == null) return new JsonObject();
    JsonObject schema = body.getJsonObject("content", new JsonObject()).getJsonObject("application/json",
        new JsonObject()).getJsonObject("schema", new JsonObject());
    String ref = schema.getString("$ref");
    if (ref != null && ref.startsWith("#/components/schemas/")) {
      schema = Document.JSON.getJsonObject("components").getJsonObject("schemas")
          .getJsonObject(ref.substring("#/components/schemas/".length()), new JsonObject());
    }
    return schema;
  }

  // ---- validation -----------------------------------------------------------------------------------------------

  private void validate(RoutingContext ctx, Route route) {
    Future<Loaded> f = load(ctx.vertx());
    if (f.succeeded()) {
      validate(ctx, route, f.result());
    } else if (f.failed()) {
      ApiError.send(ctx, new ChannelError("unavailable", "the hub's API contract failed to load"));
    } else {
      // Only while the hub starts: continue on this request's own event loop once the contract is ready.
      Context here = ctx.vertx().getOrCreateContext();
      f.onComplete(ar -> here.runOnContext(v -> validate(ctx, route)));
    }
  }

  private static void validate(RoutingContext ctx, Route route, Loaded loaded) {
    Operation operation = loaded.contract().operation(route.operationId());
    Future<ValidatableRequest> extracted;
    try {
      extracted = RequestUtils.extract(ctx.request(), operation, () -> Future.succeededFuture(ctx.body().buffer()));
    } catch (ValidatorException e) {
      extracted = Future.failedFuture(e);
    }
    extracted
        .recover(e -> Future.failedFuture(refusal(e, operation, null, route)))
        .compose(request -> loaded.validator().validate(request, route.operationId())
            .recover(e -> Future.failedFuture(refusal(e, operation, request, route))))
        .onSuccess(validated -> ctx.next())
        .onFailure(e -> ApiError.send(ctx, e));
  }

  /** What a failed validation becomes: {@code invalid} naming the field, or the failure itself when it is not ours. */
  private static Throwable refusal(Throwable e, Operation operation, ValidatableRequest request, Route route) {
    if (!(e instanceof ValidatorException ve)) return e;
    if (ve.type() == ValidatorErrorType.MISSING_OPERATION || ve.type() == ValidatorErrorType.MISSING_RESPONSE) {
      log.warn("OpenAPI validation of {} {} could not run: {}", route.method(), route.path(), e.getMessage());
      return new ChannelError("unavailable", "the request could not be checked against the API contract");
    }
    Parameter parameter = parameterNamedIn(ve.getMessage(), operation);
    if (parameter != null) return parameterRefusal(ve, parameter, request);
    return bodyRefusal(ve, route);
  }

  /** The parameter a validator message is about ("… path parameter id …"), or null when it is about the body. */
  private static Parameter parameterNamedIn(String message, Operation operation) {
    if (message == null) return null;
    Parameter best = null;
    for (Parameter p : operation.getParameters()) {
      String needle = p.getIn().name().toLowerCase(Locale.ROOT) + " parameter " + p.getName();
      int at = message.indexOf(needle);
      if (at < 0) continue;
      int end = at + needle.length();
      if (end < message.length() && (Character.isLetterOrDigit(message.charAt(end)) || message.charAt(end) == '_')) {
        continue; // "id" inside "ids"
      }
      if (best == null || p.getName().length() > best.getName().length()) best = p;
    }
    return best;
  }

  private static ChannelError parameterRefusal(ValidatorException e, Parameter parameter, ValidatableRequest request) {
    String where = parameter.getIn().name().toLowerCase(Locale.ROOT) + " parameter " + parameter.getName();
    String raw = request == null ? null : raw(request, parameter);
    String got = raw == null ? "" : ", got " + shown(raw);
    String message = switch (e.type()) {
      case MISSING_REQUIRED_PARAMETER -> where + " is required";
      case INVALID_VALUE -> {
        String why = explain(e, parameter);
        yield where + " " + why + (why.contains(", got ") ? "" : got);
      }
      default -> where + " cannot be read" + got;
    };
    return ChannelError.invalid(parameter.getName(), message);
  }

  private static String raw(ValidatableRequest request, Parameter parameter) {
    Map<String, RequestParameter> values = switch (parameter.getIn()) {
      case PATH -> request.getPathParameters();
      case QUERY -> request.getQuery();
      case HEADER -> request.getHeaders();
      case COOKIE -> request.getCookies();
    };
    RequestParameter value = values == null ? null : values.get(parameter.getName());
    return value == null || value.isNull() ? null : String.valueOf(value.get());
  }

  /** A schema failure of a parameter, worded from the most specific error the validator reported. */
  private static String explain(ValidatorException e, Parameter parameter) {
    if (e instanceof SchemaValidationException se && se.getOutputUnit() != null) {
      OutputUnit leaf = mostSpecific(se.getOutputUnit());
      if (leaf == null) return "is invalid";
      String keyword = keyword(leaf);
      Matcher m;
      if (keyword.equals("type") && (m = TYPE_ERROR.matcher(leaf.getError())).matches()) {
        return "must be " + article(m.group(2)); // the raw text is shown by the caller
      }
      if (keyword.equals("pattern")) {
        // A UUID's pattern backs its format: say which. Otherwise name the pattern the value must match.
        for (OutputUnit u : se.getOutputUnit().getErrors()) {
          if (keyword(u).equals("format")) return describe(u, "format");
        }
        Object pattern = parameter.getSchema() == null ? null : parameter.getSchema().get("pattern");
        if (pattern != null) return "must match " + pattern;
      }
      return describe(leaf, keyword);
    }
    return "is invalid";
  }

  private static ChannelError bodyRefusal(ValidatorException e, Route route) {
    switch (e.type()) {
      case MISSING_REQUIRED_PARAMETER:
        if (!(e instanceof SchemaValidationException)) {
          return ChannelError.invalid("body", "a JSON object body is required");
        }
        break;
      case UNSUPPORTED_VALUE_FORMAT:
        return ChannelError.invalid("content-type", "the body must be JSON (content-type: application/json)");
      case ILLEGAL_VALUE:
        return ChannelError.invalid("body", "body is not valid JSON");
      default:
        break;
    }
    if (!(e instanceof SchemaValidationException se) || se.getOutputUnit() == null) {
      return ChannelError.invalid("body", "body does not match the API contract: " + e.getMessage());
    }
    OutputUnit leaf = mostSpecific(se.getOutputUnit());
    if (leaf == null) return ChannelError.invalid("body", "body does not match the API contract");
    String keyword = keyword(leaf);
    String at = path(leaf.getInstanceLocation());
    String error = leaf.getError() == null ? "" : leaf.getError();
    Matcher m;
    if (keyword.equals("required") && (m = REQUIRED_ERROR.matcher(error)).matches()) {
      String field = join(at, m.group(1));
      String location = leaf.getKeywordLocation() == null ? "" : leaf.getKeywordLocation();
      if (at.isEmpty() && location.contains("/then/") && route.conditionalRequirement() != null) {
        return ChannelError.invalid(field, route.conditionalRequirement());
      }
      return ChannelError.invalid(field, field + " is required");
    }
    if (keyword.equals("additionalProperties") && (m = PROPERTY_ERROR.matcher(error)).matches()) {
      String field = at.isEmpty() ? m.group(1) : at;
      String allowed = at.contains(".") || at.contains("[") || route.bodyProperties().isEmpty() ? ""
          : " (allowed: " + String.join(", ", route.bodyProperties()) + ")";
      return ChannelError.invalid(field, field + " is not an accepted property" + allowed);
    }
    String field = at.isEmpty() ? "body" : at;
    return ChannelError.invalid(field, field + " " + describe(leaf, keyword));
  }

  /**
   * The error that says what is wrong rather than where: the first one whose keyword is an assertion (type, required,
   * pattern, …), preferring those outside conditional branches; an unknown property's error has no deeper cause.
   */
  private static OutputUnit mostSpecific(OutputUnit result) {
    List<OutputUnit> errors = result.getErrors();
    if (errors == null || errors.isEmpty()) return null;
    OutputUnit fallback = null;
    for (OutputUnit u : errors) {
      String k = keyword(u);
      boolean wrapper = Set.of("properties", "patternProperties", "items", "prefixItems", "allOf", "anyOf", "oneOf",
          "if", "then", "else", "$ref", "dependentSchemas", "unevaluatedProperties").contains(k);
      if (k.equals("additionalProperties")) {
        if (u.getError() != null && PROPERTY_ERROR.matcher(u.getError()).matches()) return u;
        continue;
      }
      if (wrapper) continue;
      String location = u.getKeywordLocation() == null ? "" : u.getKeywordLocation();
      if (location.contains("/then/") || location.contains("/else/") || location.contains("/anyOf/")
          || location.contains("/oneOf/")) {
        if (fallback == null) fallback = u;
        continue;
      }
      return u;
    }
    return fallback != null ? fallback : errors.get(errors.size() - 1);
  }

  private static String keyword(OutputUnit u) {
    String location = u.getKeywordLocation() == null ? "" : u.getKeywordLocation();
    int slash = location.lastIndexOf('/');
    return slash < 0 ? location : location.substring(slash + 1);
  }

  /** A leaf error in words, without the field name. */
  private static String describe(OutputUnit leaf, String keyword) {
    String error = leaf.getError() == null ? "is invalid" : leaf.getError();
    Matcher m;
    switch (keyword) {
      case "type":
        if ((m = TYPE_ERROR.matcher(error)).matches()) {
          return "must be " + article(m.group(2)) + ", got " + article(m.group(1));
        }
        break;
      case "format":
        return error.contains("\"uuid\"") ? "must be a UUID" : "must be " + error.replace("String does not match format", "in format");
      case "pattern":
        return "does not have the required form";
      case "required":
        if ((m = REQUIRED_ERROR.matcher(error)).matches()) return "needs the property " + m.group(1);
        break;
      case "enum":
        try {
          JsonArray values = new JsonArray(error.replace("Instance does not match any of", "").trim());
          List<String> names = new ArrayList<>();
          for (Object v : values) names.add(String.valueOf(v));
          return "must be one of " + String.join(", ", names);
        } catch (RuntimeException notAList) {
          return "must be " + error.replace("Instance does not match any of", "one of");
        }
      case "minimum":
      case "maximum":
        if ((m = BOUND_ERROR.matcher(error)).matches()) {
          boolean exclusive = m.group(3) != null;
          String bound = keyword.equals("minimum") ? (exclusive ? "greater than " : "at least ")
              : (exclusive ? "less than " : "at most ");
          return "must be " + bound + m.group(4) + ", got " + m.group(1);
        }
        break;
      case "minLength":
      case "maxLength":
      case "minItems":
      case "maxItems":
        if ((m = SIZE_ERROR.matcher(error)).find()) {
          String unit = (keyword.endsWith("Length") ? " character" : " item") + (m.group(3).equals("1") ? "" : "s");
          String verb = keyword.endsWith("Length") ? "must be " : "must have ";
          return verb + (keyword.startsWith("min") ? "at least " : "at most ") + m.group(3) + unit + ", got "
              + m.group(1);
        }
        break;
      case "const":
        return "must be " + error.replace("Instance does not match", "").trim();
      default:
        break;
    }
    return "is invalid: " + error;
  }

  private static String article(String types) {
    List<String> out = new ArrayList<>();
    for (String t : types.split(",|\\s+or\\s+")) {
      String type = t.trim();
      out.add(switch (type) {
        case "integer" -> "a whole number";
        case "number" -> "a number";
        case "string" -> "a string";
        case "object" -> "an object";
        case "array" -> "an array";
        case "boolean" -> "true or false";
        default -> type;
      });
    }
    return String.join(" or ", out);
  }

  /** A JSON pointer ("#/messages/0/topic") as the hub names fields ("messages[0].topic"). */
  static String path(String pointer) {
    if (pointer == null) return "";
    String p = pointer.startsWith("#") ? pointer.substring(1) : pointer;
    if (p.isEmpty() || p.equals("/")) return "";
    StringBuilder out = new StringBuilder();
    for (String segment : p.substring(1).split("/", -1)) {
      String s = segment.replace("~1", "/").replace("~0", "~");
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

  private static String shown(String raw) {
    String s = raw.length() > SHOWN_MAX ? raw.substring(0, SHOWN_MAX) + "…" : raw;
    return "'" + s + "'";
  }

  /** The operations the contract lists, as "METHOD path" → operationId (for tests and tools). */
  public static Map<String, String> operations() {
    Map<String, String> out = new LinkedHashMap<>();
    JsonObject paths = Document.JSON.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (METHODS.contains(method)) {
          out.put(method.toUpperCase(Locale.ROOT) + " " + path, item.getJsonObject(method).getString("operationId"));
        }
      }
    }
    return out;
  }
}
