import pino from "pino";

/**
 * The process logger: JSON lines for machines, pino-pretty only when a person watches a
 * terminal. Authorization headers are never written.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? "info"): pino.Logger {
  return pino({
    level,
    redact: ["req.headers.authorization", "headers.authorization"],
    ...(process.stdout.isTTY ? { transport: { target: "pino-pretty", options: { colorize: true } } } : {}),
  });
}
