package com.wedsync.hub.bench;

import com.wedsync.hub.bench.BenchArgs.BadOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.wedsync.hub.bench.BenchArgs.number;

/** The load generator's command line: defaults per workload, and an error naming the option for anything wrong. */
final class LoadGenOptions {
  static final String HELP = """
      usage: java -cp target/hub.jar com.wedsync.hub.bench.LoadGen --workload p1|p2|p6|wedding --jdbc-port PORT [options]

      Workloads (the README's Performance targets):
        p1  fan-out: CHANNELS form channels × CLIENTS/CHANNELS subscribers, one publisher per channel, a rising
            publish rate in steps; target ≥ 200,000 deliveries/s with p99 ≤ 50 ms (and ≥ 3× Socket.IO)
        p2  idle: CLIENTS sockets on one node; target ≤ 8 KB retained heap per connection, ≥ 2,000 connects/s
        p6  presence storm: CLIENTS clients join one channel within JOIN-SECONDS and track presence; target: all
            converge, presence frames ≤ 5 % of N²
        wedding  the mixed workload, for sizing: WEDDINGS weddings, each a couple (two partners) and SUPPLIERS
            suppliers with TEAM members and a form each; everyone on their supplier/couple, user, wedding and form
            channels with presence; every INTERVAL-MS each person locks a field, types, sets it and unlocks it, and
            every NOTE-EVERY-th time adds a note mentioning someone (a notification); no SPEC target

        --workload p1|p2|p6|wedding  what to run (required)
        --url URL                the hub's HTTP base URL                             [http://127.0.0.1:4000]
        --jdbc-port PORT         the hub's PostgreSQL port (users and forms are written there), or
        --jdbc-url URL           a full JDBC URL
        --db-user, --db-password PostgreSQL credentials                                [postgres, postgres]
        --hub-pid PID            the hub's process id: its CPU share; p2 forces its GC with jcmd     [unknown]
        --secret-file FILE       the HS256 secret the hub verifies tokens with    [conf/dev-jwt-secret.txt]
        --peer-url URL           p1, p6: also run the workload against this Socket.IO 4 server
                                 (scripts/peer/server.js) and print the ratio                          [none]
        --peer-pid PID           the Socket.IO server's process id, for its CPU share               [unknown]
        --clients N              p1: subscribers [10000]; p2: connections [15000]; p6: clients [2000]
        --channels N             p1: channels; CLIENTS must be a multiple                               [500]
        --rates LIST             p1: offered deliveries/s per step, rising, comma-separated
                                 [1000,2000,5000,10000,20000,50000,100000,150000,200000,250000,300000,400000,500000]
        --step-seconds N         p1: duration of each step                                               [10]
        --warmup-seconds N       p1: first this long at the lowest rate, not reported [5]; wedding: first
                                 this long not measured, while the hub compiles its code [30]; 0 = none
        --weddings N             wedding: weddings                                                       [50]
        --suppliers N            wedding: suppliers per wedding, each with its own form                   [4]
        --team N                 wedding: members per supplier team                                       [3]
        --interval-ms N          wedding: each person starts an edit this often                        [2000]
        --seconds N              wedding: measured time after the warm-up                                [30]
        --note-every N           wedding: every Nth edit is a note with a mention instead; 0 = none      [10]
        --p99-limit-ms N         p1: a step counts only with p99 at most this                            [50]
        --join-seconds N         p6: the joins are spread evenly over this long                           [5]
        --timeout-seconds N      p6: give up waiting for convergence after this long                     [60]
        --settle-seconds N       p2: idle time before the heap is read                                    [5]
        --client-loops N         event loops of the load generator                                        [2]
        --connect-concurrency N  sockets being opened (and joined) at once                                [64]
        --sources N              source addresses 127.0.0.2… to connect from; 0 = automatic: one address
                                 up to 20,000 sockets, then a new one per 20,000                          [0]
        --help                   this text
      """;

  private static final List<Integer> DEFAULT_RATES = List.of(1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000,
      150_000, 200_000, 250_000, 300_000, 400_000, 500_000);
  /** Options that mean something for some workloads only: given for another, they are a mistake worth naming. */
  private static final Map<String, Set<String>> ONLY_FOR = Map.ofEntries(
      Map.entry("--channels", Set.of("p1")), Map.entry("--rates", Set.of("p1")),
      Map.entry("--step-seconds", Set.of("p1")), Map.entry("--warmup-seconds", Set.of("p1", "wedding")),
      Map.entry("--p99-limit-ms", Set.of("p1")), Map.entry("--join-seconds", Set.of("p6")),
      Map.entry("--timeout-seconds", Set.of("p6")), Map.entry("--settle-seconds", Set.of("p2")),
      Map.entry("--peer-url", Set.of("p1", "p6")), Map.entry("--peer-pid", Set.of("p1", "p6")),
      Map.entry("--clients", Set.of("p1", "p2", "p6")), Map.entry("--weddings", Set.of("wedding")),
      Map.entry("--suppliers", Set.of("wedding")), Map.entry("--team", Set.of("wedding")),
      Map.entry("--interval-ms", Set.of("wedding")), Map.entry("--seconds", Set.of("wedding")),
      Map.entry("--note-every", Set.of("wedding")));

  String workload;
  String url = "http://127.0.0.1:4000";
  String jdbcUrl;
  String dbUser = "postgres", dbPassword = "postgres";
  long hubPid = -1;
  String secretFile = "conf/dev-jwt-secret.txt";
  String peerUrl;
  long peerPid = -1;
  int clients;
  int channels = 500;
  List<Integer> rates = DEFAULT_RATES;
  int stepSeconds = 10;
  int warmupSeconds = 5;
  int p99LimitMs = 50;
  int joinSeconds = 5;
  int timeoutSeconds = 60;
  int settleSeconds = 5;
  int clientLoops = 2;
  int connectConcurrency = 64;
  int sources = 0;
  int weddings = 50;
  int suppliers = 4;
  int team = 3;
  int intervalMs = 2000;
  int seconds = 30;
  int noteEvery = 10;

  /** A bad command line: the message names the option. */
  /** Parses; returns null for --help. */
  static LoadGenOptions parse(String[] args) throws BadOption {
    LoadGenOptions o = new LoadGenOptions();
    List<String> given = new ArrayList<>();
    Integer[] clientsGiven = {null};
    boolean run = BenchArgs.walk(args, (a, v) -> {
      given.add(a);
      switch (a) {
        case "--workload" -> {
          if (!Set.of("p1", "p2", "p6", "wedding").contains(v)) {
            throw new BadOption("--workload must be p1, p2, p6 or wedding, not '" + v + "'");
          }
          o.workload = v;
        }
        case "--url" -> o.url = v.replaceAll("/+$", "");
        case "--jdbc-port" -> o.jdbcUrl = "jdbc:postgresql://127.0.0.1:" + number(a, v, 1) + "/postgres";
        case "--jdbc-url" -> o.jdbcUrl = v;
        case "--db-user" -> o.dbUser = v;
        case "--db-password" -> o.dbPassword = v;
        case "--hub-pid" -> o.hubPid = number(a, v, 1);
        case "--secret-file" -> o.secretFile = v;
        case "--peer-url" -> o.peerUrl = v.replaceAll("/+$", "");
        case "--peer-pid" -> o.peerPid = number(a, v, 1);
        case "--clients" -> clientsGiven[0] = number(a, v, 1);
        case "--channels" -> o.channels = number(a, v, 1);
        case "--rates" -> o.rates = rates(v);
        case "--step-seconds" -> o.stepSeconds = number(a, v, 1);
        case "--warmup-seconds" -> o.warmupSeconds = number(a, v, 0);
        case "--p99-limit-ms" -> o.p99LimitMs = number(a, v, 1);
        case "--join-seconds" -> o.joinSeconds = number(a, v, 0);
        case "--timeout-seconds" -> o.timeoutSeconds = number(a, v, 1);
        case "--settle-seconds" -> o.settleSeconds = number(a, v, 0);
        case "--client-loops" -> o.clientLoops = number(a, v, 1);
        case "--connect-concurrency" -> o.connectConcurrency = number(a, v, 1);
        case "--sources" -> o.sources = number(a, v, 0);
        case "--weddings" -> o.weddings = number(a, v, 1);
        case "--suppliers" -> o.suppliers = number(a, v, 1);
        case "--team" -> o.team = number(a, v, 1);
        case "--interval-ms" -> o.intervalMs = number(a, v, 10);
        case "--seconds" -> o.seconds = number(a, v, 1);
        case "--note-every" -> o.noteEvery = number(a, v, 0);
        default -> throw new BadOption("unknown option " + a);
      }
    });
    if (!run) return null;
    Integer clients = clientsGiven[0];
    if (o.workload == null) throw new BadOption("--workload is required (p1, p2, p6 or wedding)");
    for (String a : given) {
      Set<String> only = ONLY_FOR.get(a);
      if (only != null && !only.contains(o.workload)) {
        throw new BadOption(a + " applies to --workload " + String.join("/", new java.util.TreeSet<>(only))
            + " only, not " + o.workload);
      }
    }
    if (o.jdbcUrl == null) throw new BadOption("--jdbc-port (or --jdbc-url) is required: users and forms are written "
        + "to the hub's PostgreSQL");
    o.clients = clients != null ? clients : switch (o.workload) {
      case "p1" -> 10_000;
      case "p2" -> 15_000;
      case "wedding" -> o.wedding().clients();
      default -> 2_000;
    };
    if (o.workload.equals("wedding") && !given.contains("--warmup-seconds")) {
      o.warmupSeconds = 30; // a fresh hub compiles for about half a minute
    }
    if (o.workload.equals("wedding") && o.suppliers + 3 > 50) {
      throw new BadOption("--suppliers (" + o.suppliers + "): a partner joins every supplier's form plus three "
          + "channels, and the hub allows 50 channels per connection");
    }
    if (o.workload.equals("p1") && o.clients % o.channels != 0) {
      throw new BadOption("--clients (" + o.clients + ") must be a multiple of --channels (" + o.channels + ")");
    }
    return o;
  }

  /** The wedding workload these options describe. */
  WeddingWorkload.Settings wedding() {
    return new WeddingWorkload.Settings(weddings, suppliers, team, intervalMs, seconds, warmupSeconds, noteEvery,
        clientLoops);
  }

  /** Sockets the generator holds at once (per target: the hub's are closed before the peer's open). */
  int sockets() {
    return workload.equals("p1") ? clients + channels : clients;
  }

  private static List<Integer> rates(String v) throws BadOption {
    List<Integer> out = new ArrayList<>();
    for (String part : v.split(",")) {
      int r = number("--rates", part.trim(), 1);
      if (!out.isEmpty() && r <= out.get(out.size() - 1)) {
        throw new BadOption("--rates must rise: " + r + " after " + out.get(out.size() - 1));
      }
      out.add(r);
    }
    return out;
  }
}
