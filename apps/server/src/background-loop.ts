import type { QueueLogger } from "@almanac/queue";
import type pg from "pg";

export interface BackgroundLoopOptions<T> {
  /** What the log calls it: `reconciler pass`, `automation pass`, … */
  readonly name: string;
  /** One pass. Passes never overlap in one process. */
  readonly pass: () => Promise<T>;
  readonly logger: QueueLogger;
  /** Pause after a pass (its result, or undefined when it failed) before the next. */
  readonly delayMs: number | ((result: T | undefined) => number | Promise<number>);
  /** Run the next pass at once, not after the delay: a full batch says more may be waiting. */
  readonly again?: (result: T) => boolean;
  /**
   * Also wake on `NOTIFY channel`, on one pooled connection of `store`. When that connection
   * breaks (Postgres restarted) the next pass listens again; the delay covers the gap.
   */
  readonly listen?: { readonly store: pg.Pool; readonly channel: string };
}

export interface BackgroundLoop<T> {
  /** A pass now, after the one in flight; rejects when it fails (the loop goes on). */
  runNow(): Promise<T>;
  /** A pass soon: now when idle, right after the one in flight otherwise. */
  wake(): void;
  /** Stops the loop, waits for the pass in flight, releases the LISTEN connection. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * A server's periodic work (the reconciler, automation, notification delivery, freshness
 * checks): a pass at once, then one `delayMs` after each ends, or sooner on a NOTIFY. A failed
 * pass is logged once per distinct message and tried again on the next beat, and its recovery
 * is logged once.
 */
export function startBackgroundLoop<T>(options: BackgroundLoopOptions<T>): BackgroundLoop<T> {
  const { logger, name } = options;
  let current: Promise<T> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let again = false;
  let lastError: string | undefined;
  let listener: pg.PoolClient | undefined;

  const listen = async (): Promise<void> => {
    const target = options.listen;
    if (!target || listener || closed) return;
    const client = await target.store.connect();
    client.on("notification", () => wake());
    client.on("error", () => {
      if (listener === client) listener = undefined;
      client.release(true);
    });
    await client.query(`listen ${target.channel}`);
    listener = client;
  };

  const runNow = async (): Promise<T> => {
    while (current) await current.catch(() => undefined);
    current = (async () => {
      await listen();
      return options.pass();
    })();
    try {
      return await current;
    } finally {
      current = undefined;
    }
  };

  const delay = async (result: T | undefined): Promise<number> =>
    typeof options.delayMs === "number" ? options.delayMs : options.delayMs(result);

  function beat(): void {
    if (closed) return;
    clearTimeout(timer);
    let result: T | undefined;
    runNow()
      .then((value) => {
        result = value;
        if (lastError !== undefined) logger.info({}, `${name} works again`);
        lastError = undefined;
        if (options.again?.(value)) again = true;
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastError) logger.error({ err: error }, `${name} failed: ${message}`);
        lastError = message;
      })
      .finally(async () => {
        if (closed) return;
        if (again) {
          again = false;
          beat();
          return;
        }
        // A delay that cannot be worked out (the store is away) is tried again in a second.
        const ms = await delay(result).catch(() => 1_000);
        if (!closed) timer = setTimeout(beat, ms).unref();
      });
  }

  function wake(): void {
    if (closed) return;
    if (current) again = true;
    else beat();
  }

  beat();
  let closing: Promise<void> | undefined;
  return {
    runNow,
    wake,
    close() {
      closing ??= (async () => {
        closed = true;
        clearTimeout(timer);
        await current?.catch(() => undefined);
        const client = listener;
        listener = undefined;
        if (client) {
          await client.query(`unlisten ${options.listen?.channel}`).catch(() => undefined);
          client.release();
        }
      })();
      return closing;
    },
  };
}
