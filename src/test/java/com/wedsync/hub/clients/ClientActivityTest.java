package com.wedsync.hub.clients;

import com.wedsync.hub.presence.PresenceEntry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a couple's marks mean, and which suppliers a change is news to. */
class ClientActivityTest {
  static final UUID COUPLE = UUID.randomUUID();
  static final UUID LENS = UUID.randomUUID();
  static final UUID FEAST = UUID.randomUUID();
  static final UUID LENS_FORM = UUID.randomUUID();
  static final UUID LENS_OTHER_FORM = UUID.randomUUID();
  static final UUID FEAST_FORM = UUID.randomUUID();

  static PresenceEntry connection(String ref) {
    return new PresenceEntry("u", ref, new JsonObject().put("user", "u"), "c", "n");
  }

  static PresenceEntry form(String ref, UUID form, UUID supplier, long since) {
    return new PresenceEntry("u", ref, new JsonObject().put("user", "u").put("form", form.toString())
        .put("supplier", supplier.toString()).put("since", since), "c", "n");
  }

  @Test
  void marksMakeTheCoupleOnlineAndEachSupplierSeesOnlyItsMostRecentlyOpenedForm() {
    assertFalse(ClientActivity.of(List.of()).online());
    ClientActivity a = ClientActivity.of(List.of(connection("1"), form("2", LENS_FORM, LENS, 100),
        form("3", LENS_OTHER_FORM, LENS, 200), form("4", FEAST_FORM, FEAST, 50)));
    assertTrue(a.online());
    assertEquals(LENS_OTHER_FORM, a.fillingFor(LENS));
    assertEquals(FEAST_FORM, a.fillingFor(FEAST));
    assertNull(a.fillingFor(UUID.randomUUID()));
  }

  @Test
  void goingOnlineOrOfflineIsNewsToEverySupplierAFormOnlyToItsOwn() {
    ClientActivity offline = ClientActivity.of(List.of());
    ClientActivity online = ClientActivity.of(List.of(connection("1")));
    ClientActivity fillingLens = ClientActivity.of(List.of(connection("1"), form("2", LENS_FORM, LENS, 1)));
    ClientActivity fillingBoth = ClientActivity.of(List.of(connection("1"), form("2", LENS_FORM, LENS, 1),
        form("3", FEAST_FORM, FEAST, 2)));
    assertNull(new ClientTracker.Change(COUPLE, offline, online).suppliersToTell(), "every supplier");
    assertNull(new ClientTracker.Change(COUPLE, fillingBoth, offline).suppliersToTell(), "every supplier");
    assertEquals(Set.of(LENS), new ClientTracker.Change(COUPLE, online, fillingLens).suppliersToTell());
    assertEquals(Set.of(FEAST), new ClientTracker.Change(COUPLE, fillingLens, fillingBoth).suppliersToTell());
    assertEquals(Set.of(), new ClientTracker.Change(COUPLE, online, online).suppliersToTell());
    // A second tab on the same form changes nothing anyone sees.
    ClientActivity twice = ClientActivity.of(List.of(connection("1"), form("2", LENS_FORM, LENS, 1),
        form("5", LENS_FORM, LENS, 9)));
    assertEquals(Set.of(), new ClientTracker.Change(COUPLE, fillingLens, twice).suppliersToTell());
  }
}
