package com.wedsync.hub.notify;

import com.wedsync.hub.channel.ChannelError;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;

/**
 * Where a bell page ends: the last notification's (created_at, id), so paging is stable while new ones arrive.
 * Opaque to clients (base64url of "epochMicros:id").
 */
public record BellCursor(OffsetDateTime createdAt, UUID id) {

  public String encode() {
    Instant at = createdAt.toInstant();
    long micros = at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000;
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((micros + ":" + id).getBytes(StandardCharsets.UTF_8));
  }

  /** Fails with {@code invalid} naming {@code cursor} when the text is not a cursor this API handed out. */
  public static BellCursor decode(String text) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
      int colon = raw.indexOf(':');
      long micros = Long.parseLong(raw.substring(0, colon));
      UUID id = UUID.fromString(raw.substring(colon + 1));
      Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000);
      return new BellCursor(OffsetDateTime.ofInstant(at, ZoneOffset.UTC), id);
    } catch (RuntimeException e) {
      throw ChannelError.invalid("cursor", "cursor must be the next_cursor of a previous page, got '" + text + "'");
    }
  }
}
