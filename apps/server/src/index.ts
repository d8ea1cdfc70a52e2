export { buildApp } from "./app.js";
export type { AppOptions, RunQueue } from "./app-options.js";
export type { RunningServer, ServerOptions } from "./server.js";
export { startServer } from "./server.js";
