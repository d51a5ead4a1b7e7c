package com.wedsync.hub.changes;

import com.wedsync.hub.support.NodeScripts;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.wedsync.hub.support.DemoIds.user;

/**
 * postgres_changes with the unmodified {@code @supabase/realtime-js} (src/test/js/postgres-changes-conformance.js):
 * rows written with plain SQL by another connection (the {@code pg} package) reach its INSERT/UPDATE/DELETE/*
 * callbacks with {@code payload.new}, {@code payload.old} and {@code payload.eventType}; every filter operator;
 * several subscriptions on one channel; privacy; a row moving out of reach; an unpublished table refused.
 */
class RealtimeJsPostgresChangesTest {
  static final String TABLE = "pgc_rjs";
  static final String NAME = "pgc_test_rjs";
  static NodeScripts js;
  static TestHub hub;

  @BeforeAll
  static void start() {
    js = NodeScripts.in("src/test/js", "@supabase/realtime-js", "phoenix", "ws", "pg");
    PgChangesWorld.createTable(TABLE);
    hub = TestHub.start(PgChangesWorld.settings(NAME, TABLE));
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
    PgChangesWorld.dropSlot(NAME);
  }

  @Test
  void realtimeJsReceivesRowChangesAsFromSupabase() {
    js.node("postgres-changes-conformance.js", Map.of(
        "HUB_ENDPOINT", "ws://127.0.0.1:" + hub.hub.port() + "/realtime/v1",
        "PG_URL", TestPostgres.url(),
        "TABLE", TABLE,
        "TOKEN_EMMA", hub.token(user(1)),
        "TOKEN_SOPHIE", hub.token(user(4)),
        "TOKEN_SARAH", hub.token(user(6))), 120);
  }
}
