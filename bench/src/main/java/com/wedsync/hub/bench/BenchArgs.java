package com.wedsync.hub.bench;

/**
 * The command lines of the benchmarks: {@code --name value} pairs, {@code --help}, and whole numbers with a floor.
 * Every problem is a {@link BadOption} naming the option, which the benchmark prints with its usage text.
 */
final class BenchArgs {
  private BenchArgs() {
  }

  /** What a benchmark does with one option; throws {@link BadOption} for a value (or a name) it cannot take. */
  interface Option {
    void set(String name, String value) throws BadOption;
  }

  static final class BadOption extends Exception {
    private static final long serialVersionUID = 1L;

    BadOption(String message) {
      super(message);
    }
  }

  /** Hands each {@code --name value} pair to {@code option}, in order. Returns false when help was asked for. */
  static boolean walk(String[] args, Option option) throws BadOption {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) return false;
      if (!a.startsWith("--")) throw new BadOption("unexpected argument '" + a + "' (options start with --)");
      if (i + 1 >= args.length) throw new BadOption(a + " needs a value");
      option.set(a, args[++i]);
    }
    return true;
  }

  /** A whole number (underscores allowed) of at least {@code min}. */
  static int number(String name, String v, int min) throws BadOption {
    long n = longNumber(name, v, min);
    if (n > Integer.MAX_VALUE) throw new BadOption(name + " is too large, got " + v);
    return (int) n;
  }

  static long longNumber(String name, String v, long min) throws BadOption {
    long n;
    try {
      n = Long.parseLong(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new BadOption(name + " needs a whole number, got '" + v + "'");
    }
    if (n < min) throw new BadOption(name + " must be at least " + min + ", got " + n);
    return n;
  }

  /** Prints the problem and the usage text, and ends the program with status 2. */
  static void exitWithUsage(String tool, String problem, String help) {
    System.err.println(tool + ": " + problem);
    System.err.print(help);
    System.exit(2);
  }
}
