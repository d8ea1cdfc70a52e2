import { type Attributes, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

/**
 * Almanac's tracer. Until an SDK is started (`@almanac/tracing/sdk`, only when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set) the API hands out non-recording spans and runs
 * callbacks in the current context as is: a span then costs one small object and no I/O.
 */
const tracer = () => trace.getTracer("almanac");

/** Options of {@link inSpan}: span kind (default internal) and attributes known at the start. */
export interface SpanOptions {
  readonly kind?: "internal" | "producer" | "consumer";
  readonly attributes?: Attributes;
  /** Errors that are control flow, not failures (BullMQ's `DelayedError`): the span ends without error status. */
  readonly isExpected?: (error: unknown) => boolean;
}

const kinds = { internal: SpanKind.INTERNAL, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER } as const;

/**
 * Runs `body` inside a new active span (children — SQL statements, enqueues — nest under it)
 * and ends it when the promise settles. A rejection marks the span as an error with the
 * exception recorded, and is rethrown unchanged.
 */
export function inSpan<T>(name: string, options: SpanOptions, body: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, startOptions(options), async (span) => {
    try {
      return await body(span);
    } catch (error) {
      if (!options.isExpected?.(error)) failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** {@link inSpan} for synchronous work (planning). */
export function inSpanSync<T>(name: string, options: SpanOptions, body: (span: Span) => T): T {
  return tracer().startActiveSpan(name, startOptions(options), (span) => {
    try {
      return body(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

function startOptions(options: SpanOptions) {
  return { kind: kinds[options.kind ?? "internal"], attributes: options.attributes };
}

function failSpan(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** Marks a span as failed for an outcome that is not an exception (a failed step, a failed run). */
export function markSpanFailed(span: Span, message: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/**
 * Renames the active span and adds attributes, if one is recording: the HTTP instrumentation
 * starts a request's span before the router knows the route, so the server names it here.
 */
export function describeActiveSpan(name: string, attributes: Attributes): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.updateName(name);
  span.setAttributes(attributes);
}
