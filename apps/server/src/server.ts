import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.js";
import type { AppOptions } from "./app-options.js";
import { assertSafeToListen } from "./loopback-rule.js";

export interface ServerOptions extends AppOptions {
  /** Interface to listen on, e.g. `127.0.0.1` or `0.0.0.0`. */
  readonly host: string;
  /** `PORT`; 0 picks a free port (see `url`). */
  readonly port: number;
  /**
   * `--insecure` / `ALMANAC_INSECURE=1`: listen on a non-loopback `host` without `apiToken`.
   * Default false: that combination is refused before anything listens.
   */
  readonly insecure?: boolean;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  /** Where it listens, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /**
   * Stops accepting connections and waits for requests in flight to finish (fastify answers
   * 503 to new ones meanwhile). Does not close `ctx`'s pools or the run queue: their owner does.
   */
  close(): Promise<void>;
}

/**
 * Builds the app and listens. Signal handling stays with the process (CLI `serve`/`dev`), which
 * calls `close`. Throws `ALMANAC_BAD_REQUEST` for a non-loopback `host` without a token unless
 * `insecure` (see {@link assertSafeToListen}).
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  assertSafeToListen(options);
  const app = await buildApp(options);
  try {
    const address = await app.listen({ host: options.host, port: options.port });
    let closing: Promise<void> | undefined;
    return {
      app,
      url: address,
      close() {
        closing ??= app.close();
        return closing;
      },
    };
  } catch (error) {
    await app.close();
    throw error;
  }
}
