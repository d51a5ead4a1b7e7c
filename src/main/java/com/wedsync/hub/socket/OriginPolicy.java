package com.wedsync.hub.socket;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * The WebSocket origin allow-list. A browser's {@code Origin} is parsed as a URL and compared part by part with each
 * allowed {@code scheme://host[:port]}, where the port may be {@code *} (any port) and the host may be {@code *} or
 * start with {@code *.} (any subdomain). Comparing parsed parts rather than matching text is what keeps
 * {@code http://localhost:1@evil.example} (a user-info trick: its host is evil.example) from passing as localhost.
 * A lone {@code *} allows every origin.
 */
final class OriginPolicy {
  private OriginPolicy() {}

  private record Origin(String scheme, String host, String port) {}

  static boolean allows(List<String> allowed, String origin) {
    if (allowed.contains("*")) return true;
    Origin o = parse(origin, false);
    if (o == null) return false;
    for (String pattern : allowed) {
      Origin p = parse(pattern, true);
      if (p != null && p.scheme().equals(o.scheme()) && hostMatches(p.host(), o.host())
          && (p.port().equals("*") || p.port().equals(o.port()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean hostMatches(String pattern, String host) {
    if (pattern.equals("*")) return true;
    if (pattern.startsWith("*.")) return host.endsWith(pattern.substring(1)) && host.length() > pattern.length() - 1;
    return pattern.equals(host);
  }

  /** {@code scheme://host[:port]} and nothing else (no user info, path, query or fragment); null when it is not. */
  private static Origin parse(String text, boolean pattern) {
    if (text == null) return null;
    String t = text.trim();
    String wildcardHost = null;
    String wildcardPort = null;
    if (pattern) {
      // URI cannot hold '*': stand in a placeholder host/port, then put the wildcard back.
      if (t.matches("[a-zA-Z][a-zA-Z0-9+.-]*://\\*(:.*)?")) {
        wildcardHost = "*";
        t = t.replaceFirst("://\\*", "://wildcard.invalid");
      } else if (t.matches("[a-zA-Z][a-zA-Z0-9+.-]*://\\*\\..*")) {
        wildcardHost = t.substring(t.indexOf("://") + 3).replaceFirst(":.*", "");
        t = t.replaceFirst("://\\*\\.", "://wildcard.");
      }
      if (t.endsWith(":*")) {
        wildcardPort = "*";
        t = t.substring(0, t.length() - 2);
      }
    }
    URI uri;
    try {
      uri = new URI(t);
    } catch (URISyntaxException e) {
      return null;
    }
    if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null
        || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      return null;
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    String host = wildcardHost != null ? wildcardHost.toLowerCase(Locale.ROOT) : uri.getHost().toLowerCase(Locale.ROOT);
    String port = wildcardPort != null ? wildcardPort
        : String.valueOf(uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443
            : scheme.equals("http") ? 80 : -1);
    return new Origin(scheme, host, port);
  }
}
