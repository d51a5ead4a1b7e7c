package com.wedsync.hub.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The REST contract (PROTOCOL.md §8) as written, {@code src/main/resources/openapi/hub-openapi.json}: the one list of
 * the hub's HTTP routes. It is served as is, the REST router is built from it (by {@link HttpApi}, with
 * vertx-web-openapi-router) and requests are validated against it. Read from the classpath once per JVM.
 */
public final class OpenApiDocument {
  /** Classpath location of the document. */
  public static final String RESOURCE = "openapi/hub-openapi.json";

  private static final Set<String> METHODS = Set.of("get", "put", "post", "patch", "delete", "head", "options");
  private static final String TEXT = read();
  private static final JsonObject JSON = new JsonObject(TEXT);

  private OpenApiDocument() {
  }

  /** One operation of the document. */
  public record Operation(String operationId, HttpMethod method, String path) {
    /** The path in Vert.x Web's spelling ({@code /api/v1/forms/:id}). */
    public String routerPath() {
      return path.replaceAll("\\{([^}/]+)}", ":$1");
    }
  }

  /** The document as served. */
  public static String text() {
    return TEXT;
  }

  /** The document (a copy). */
  public static JsonObject json() {
    return JSON.copy();
  }

  /** Every operation of the document by operationId, in the document's order. */
  public static Map<String, Operation> operations() {
    Map<String, Operation> out = new LinkedHashMap<>();
    JsonObject paths = JSON.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (!METHODS.contains(method)) continue;
        String id = item.getJsonObject(method).getString("operationId");
        if (id == null) throw new IllegalStateException("the OpenAPI document: " + method + " " + path + " has no operationId");
        Operation op = new Operation(id, HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)), path);
        if (out.putIfAbsent(id, op) != null) {
          throw new IllegalStateException("the OpenAPI document: operationId " + id + " is used twice");
        }
      }
    }
    return out;
  }

  /**
   * The contract of every operation but the given ones (served as plain routes), parsed: vertx-openapi checks it
   * against the OpenAPI meta-schema and resolves every {@code $ref}.
   */
  static Future<OpenAPIContract> contractWithout(Vertx vertx, Set<String> operationIds) {
    JsonObject doc = json();
    JsonObject paths = doc.getJsonObject("paths", new JsonObject());
    for (String path : Set.copyOf(paths.fieldNames())) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : Set.copyOf(item.fieldNames())) {
        if (METHODS.contains(method) && operationIds.contains(item.getJsonObject(method).getString("operationId"))) {
          item.remove(method);
        }
      }
      if (item.fieldNames().stream().noneMatch(METHODS::contains)) paths.remove(path);
    }
    return OpenAPIContract.from(vertx, doc);
  }

  private static String read() {
    try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("the OpenAPI document " + RESOURCE + " is not on the classpath");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("the OpenAPI document " + RESOURCE + " cannot be read", e);
    }
  }
}
