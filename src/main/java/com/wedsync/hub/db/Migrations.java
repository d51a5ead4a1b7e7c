package com.wedsync.hub.db;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Versioned SQL migrations ({@code db/migration/V*.sql}) applied by Flyway, once, before the sockets open. */
public final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  public static void apply(String jdbcUrl, String user, String password) {
    Flyway flyway = Flyway.configure()
        .dataSource(jdbcUrl, user, password)
        .locations("classpath:db/migration")
        .load();
    var result = flyway.migrate();
    log.info("schema at version {} ({} migration(s) applied now)", flyway.info().current().getVersion(),
        result.migrationsExecuted);
  }
}
