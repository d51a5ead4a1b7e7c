package com.wedsync.hub.external;

import com.wedsync.hub.support.TestNodes;
import io.vertx.core.Future;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link ChangeClaims} contract, against both adapters: exactly one claim of an announcement's name wins, whoever
 * asks and however often, so a change made outside the hub is acted on once; different names do not interfere.
 */
class ChangeClaimsContractTest {
  @RegisterExtension
  static final TestNodes nodes = new TestNodes();

  private static ChangeClaims claims(String adapter, String id) {
    TestNodes.Node n = nodes.node(adapter, id);
    return adapter.equals("local") ? new LocalChangeClaims() : new RedisChangeClaims(n.redisConnections(), id);
  }

  private static boolean await(Future<Boolean> f) {
    return TestNodes.await(f);
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void theFirstClaimOfANameWinsAndEveryLaterOneLoses(String adapter) {
    ChangeClaims node = claims(adapter, "claims-a");
    String name = "forms:" + UUID.randomUUID() + ":tx1";
    assertTrue(await(node.claim(name)));
    assertFalse(await(node.claim(name)), "the same node asking again");
    assertTrue(await(node.claim(name.replace("tx1", "tx2"))), "another name is another claim");
  }

  @ParameterizedTest
  @ValueSource(strings = {"redis"})
  void amongNodesRacingForOneNameExactlyOneWins(String adapter) {
    List<ChangeClaims> cluster = List.of(claims(adapter, "claims-1"), claims(adapter, "claims-2"),
        claims(adapter, "claims-3"));
    for (int round = 0; round < 50; round++) {
      String name = "form_fields:" + UUID.randomUUID();
      List<Future<Boolean>> racing = new ArrayList<>();
      for (ChangeClaims c : cluster) racing.add(c.claim(name));
      long winners = racing.stream().filter(ChangeClaimsContractTest::await).count();
      assertEquals(1, winners, "round " + round);
    }
  }
}
