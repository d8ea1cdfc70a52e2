export type { Span } from "@opentelemetry/api";
export { inJobTraceContext, traceContextForJob } from "./job-trace-context.js";
export type { SpanOptions } from "./trace-spans.js";
export { describeActiveSpan, inSpan, inSpanSync, markSpanFailed } from "./trace-spans.js";
