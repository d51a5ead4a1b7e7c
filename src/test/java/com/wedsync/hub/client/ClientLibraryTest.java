package com.wedsync.hub.client;

import com.wedsync.hub.support.NodeScripts;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/**
 * The client library's own unit tests ({@code client/}, {@code npm test}: node's test runner against an in-process
 * fake hub) as part of the Maven suite, so {@code scripts/test} runs them. The pinned packages (phoenix, ws) are
 * installed with {@code npm ci} into {@code client/node_modules} (git-ignored) on a fresh clone.
 */
class ClientLibraryTest {
  @Test
  void clientLibraryUnitTestsPass() {
    NodeScripts client = NodeScripts.in("client", "phoenix", "ws");
    client.run(List.of("npm", "test"), Map.of(), 300);
  }
}
