import { createRequire } from "node:module";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { NodeSDK } from "@opentelemetry/sdk-node";

/** A started SDK: `shutdown` flushes the spans still batched and stops exporting. */
export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK for one process, configured by the standard `OTEL_*`
 * variables (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL` — default
 * `http/protobuf` —, `OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`, …), with the
 * HTTP and pg instrumentations. `serviceName` is used when `OTEL_SERVICE_NAME` is unset.
 *
 * Must run before anything loads `pg` or `http`: the instrumentations patch those modules when
 * they are first `require`d. Almanac is ESM, and an ESM `import` of a CommonJS package does not
 * go through the `require` hook, so this loads both with `require` right after the start; later
 * imports get the same (now patched) module from Node's CommonJS cache.
 */
export function startTracing(serviceName: string): Tracing {
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? serviceName,
    // Metrics stay with Prometheus (/metrics) and logs with pino: traces only.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      // The exporter's own requests are not traced: it sends them with tracing suppressed.
      new HttpInstrumentation(),
      // One span per statement, with its text (never its parameter values). Only inside a
      // trace (a request, a run job): the reconciler's and heartbeats' polling would
      // otherwise start a trace of its own every few seconds.
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
    ],
  });
  sdk.start();
  const require = createRequire(import.meta.url);
  require("node:http");
  require("pg");
  return { shutdown: () => sdk.shutdown() };
}
