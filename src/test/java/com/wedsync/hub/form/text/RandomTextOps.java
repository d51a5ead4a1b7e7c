package com.wedsync.hub.form.text;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Random;

/** Random texts and edits for the OT property tests (in-memory and over real sockets). */
public final class RandomTextOps {
  private RandomTextOps() {}

  /**
   * Small alphabet so positions collide often (ties are where OT goes wrong), with emoji (two UTF-16 units) and a
   * combining mark (its own code point) to catch any char/code-point confusion. No ‹ or ›: those delimit markers.
   */
  public static final int[] ALPHABET = {'a', 'b', ' ', 'é', 0x0301, 0x1F470, 0x1F935, 0x65E5};

  public static String randomText(Random r, int maxLen) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(maxLen + 1);
    for (int i = 0; i < n; i++) sb.appendCodePoint(ALPHABET[r.nextInt(ALPHABET.length)]);
    return sb.toString();
  }

  /**
   * A random edit that never cuts into or deletes from a marker ‹…›. Markers are only ever inserted whole, so if
   * the engine works, every marker ever typed is in the final text exactly once — nobody's insert was lost,
   * duplicated or torn apart.
   */
  public static TextOp markerSafeOp(Random r, String doc, List<String> markers, String markerPrefix) {
    int[] cps = doc.codePoints().toArray();
    int len = cps.length;
    // inMarker[i]: code point i belongs to a marker, so no edit may delete it.
    // cut[p]: position p is not strictly inside a marker, so edits may start or end there.
    boolean[] inMarker = new boolean[len];
    boolean[] cut = new boolean[len + 1];
    boolean open = false;
    for (int i = 0; i < len; i++) {
      cut[i] = !open;
      if (cps[i] == '‹') open = true;
      inMarker[i] = open;
      if (cps[i] == '›') open = false;
    }
    cut[len] = true;

    JsonArray json = new JsonArray();
    int pos = 0;
    while (r.nextInt(4) != 0) {
      int kind = r.nextInt(4);
      if (kind == 0 && pos < len) {
        int to = pos + 1 + r.nextInt(len - pos);
        while (!cut[to]) to++;
        json.add(to - pos);
        pos = to;
      } else if (kind == 1 && pos < len && !inMarker[pos]) {
        int n = 1;
        while (n < 3 && pos + n < len && !inMarker[pos + n] && r.nextBoolean()) n++;
        json.add(new JsonObject().put("d", n));
        pos += n;
      } else if (kind == 2) {
        String marker = "‹" + markerPrefix + "-" + markers.size() + "👰›";
        markers.add(marker);
        json.add(marker);
      } else {
        String s = randomText(r, 2);
        if (!s.isEmpty()) json.add(s);
      }
    }
    return TextOp.parse(json);
  }

}
