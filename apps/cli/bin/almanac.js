#!/usr/bin/env node
// Tracing (when asked for) must start before the CLI loads pg and http: see early-tracing.ts.
import { startTracingEarly } from "../dist/early-tracing.js";

await startTracingEarly(process.argv.slice(2), process.env);
await import("../dist/main.js");
