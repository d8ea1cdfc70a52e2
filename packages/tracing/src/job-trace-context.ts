import { context, propagation } from "@opentelemetry/api";

/**
 * The W3C trace context (`traceparent`, `tracestate`) of the active span, to carry in a
 * queue job's data so that the worker's spans join the producer's trace. `undefined` when no
 * SDK is started or no span is active, so untraced jobs carry nothing extra.
 */
export function traceContextForJob(): Record<string, string> | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

/**
 * Runs `body` in the context a job carried ({@link traceContextForJob}), so spans it starts
 * are children of the producer's span; without one, in the current context.
 */
export function inJobTraceContext<T>(carrier: Readonly<Record<string, string>> | undefined, body: () => T): T {
  if (carrier === undefined) return body();
  return context.with(propagation.extract(context.active(), carrier), body);
}
