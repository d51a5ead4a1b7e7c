package com.wedsync.hub.metrics;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression (or a Grafana {@code label_values(metric, label)} query) reads. Enough PromQL
 * for dashboards: label matchers, range selectors, grouping clauses and Grafana variables are removed first; what is
 * left that looks like a name and is not a function call or keyword is a metric.
 */
final class PromQl {
  private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern VARIABLES = Pattern.compile("\\$\\{?\\w+}?");
  private static final Pattern STRINGS = Pattern.compile("\"[^\"]*\"");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][\\w:]*)\\s*,");
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][\\w:]*");
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
      "bool", "and", "or", "unless", "offset", "inf", "nan");

  private PromQl() {}

  static Set<String> metricNames(String expr) {
    Set<String> names = new TreeSet<>();
    Matcher lv = LABEL_VALUES.matcher(expr);
    if (lv.find()) {
      names.add(lv.group(1));
      return names;
    }
    String s = LABEL_MATCHERS.matcher(expr).replaceAll(" ");
    s = STRINGS.matcher(s).replaceAll(" ");
    s = RANGES.matcher(s).replaceAll(" ");
    s = GROUPING.matcher(s).replaceAll(" ");
    s = VARIABLES.matcher(s).replaceAll(" ");
    Matcher m = NAME.matcher(s);
    while (m.find()) {
      String name = m.group();
      int next = m.end();
      while (next < s.length() && Character.isWhitespace(s.charAt(next))) next++;
      boolean call = next < s.length() && s.charAt(next) == '(';
      boolean number = m.start() > 0 && (Character.isDigit(s.charAt(m.start() - 1)) || s.charAt(m.start() - 1) == '.');
      if (!call && !number && !KEYWORDS.contains(name.toLowerCase())) names.add(name);
    }
    return names;
  }
}
