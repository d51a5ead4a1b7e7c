package com.wedsync.hub.channel;

import com.wedsync.hub.auth.Principal;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every channel family the hub knows, in one table (docs/protocol.md §2). A new family is one more row here: a pattern and an
 * access rule; joining, leaving, presence and broadcast need nothing else.
 */
public final class ChannelRegistry {
  private static final String UUID_RE = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

  public static final List<ChannelFamily> FAMILIES = List.of(
      family("supplier", "supplier:(?<id>" + UUID_RE + ")(?::(?<suffix>team|clients|forms|journeys))?",
          Set.of("team", "clients", "forms", "journeys"), AccessRules::supplierTeam),
      family("couple", "couple:(?<id>" + UUID_RE + ")(?::(?<suffix>suppliers|tasks|timeline))?",
          Set.of("suppliers", "tasks", "timeline"), AccessRules::coupleMember),
      family("wedding", "wedding:(?<id>" + UUID_RE + ")", Set.of(), AccessRules::wedding),
      family("form", "form:(?<id>" + UUID_RE + ")", Set.of(), AccessRules::form),
      family("journey", "journey:(?<id>" + UUID_RE + "):(?<second>" + UUID_RE + ")", Set.of(), AccessRules::journey),
      family("user", "user:(?<id>" + UUID_RE + ")", Set.of(), AccessRules::self),
      // No id: one channel for the whole hub, its sync health (docs/protocol.md "admin:health").
      family("admin", "admin:health", Set.of(), AccessRules::admin));

  private final Pool db;
  private volatile java.util.function.BiConsumer<Principal, Topic> adminViews = (who, topic) -> { };

  public ChannelRegistry(Pool db) {
    this.db = db;
  }

  /** Told each time an admin is granted a read-only view of a form it has no membership of (to audit it). */
  public ChannelRegistry onAdminView(java.util.function.BiConsumer<Principal, Topic> listener) {
    this.adminViews = listener;
    return this;
  }

  private static ChannelFamily family(String name, String regex, Set<String> suffixes, AccessRule rule) {
    return new ChannelFamily(name, Pattern.compile(regex), suffixes, rule);
  }

  /** Parses a bare channel name; empty when no family matches (answered {@code not_found}). */
  public static Optional<Topic> parse(String name) {
    if (name == null || name.length() > 200) return Optional.empty();
    for (ChannelFamily f : FAMILIES) {
      Matcher m = f.pattern().matcher(name);
      if (!m.matches()) continue;
      UUID id = f.pattern().pattern().contains("<id>") ? UUID.fromString(m.group("id")) : null;
      UUID second = f.pattern().pattern().contains("<second>") ? UUID.fromString(m.group("second")) : null;
      String suffix = f.suffixes().isEmpty() ? null : m.group("suffix");
      return Optional.of(new Topic(name.toLowerCase(), f, id, second, suffix));
    }
    return Optional.empty();
  }

  public Future<Access> authorize(Principal who, Topic topic) {
    return topic.family().rule().check(who, topic, db).onSuccess(access -> {
      if (access.isAdminView() && "form".equals(topic.family().name())) adminViews.accept(who, topic);
    });
  }
}
