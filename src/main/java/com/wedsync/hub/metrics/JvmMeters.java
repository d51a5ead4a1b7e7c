package com.wedsync.hub.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

import java.util.List;

/**
 * The JVM and process meters of one hub: heap and pools, GC pauses and pressure, threads, classes, CPU, file
 * descriptors, uptime. The GC binders listen to JMX notifications until closed, so a hub closes them when it stops
 * (several hubs share one JVM in the tests; a stopped one must not keep listening).
 */
public final class JvmMeters implements AutoCloseable {
  private final List<MeterBinder> binders = List.of(new JvmMemoryMetrics(), new JvmGcMetrics(),
      new JvmHeapPressureMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics(), new ProcessorMetrics(),
      new FileDescriptorMetrics(), new UptimeMetrics());

  JvmMeters(MeterRegistry registry) {
    for (MeterBinder b : binders) b.bindTo(registry);
  }

  @Override
  public void close() {
    for (MeterBinder b : binders) {
      if (b instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // Closing only removes JMX listeners; nothing is left to do if that fails.
        }
      }
    }
  }
}
