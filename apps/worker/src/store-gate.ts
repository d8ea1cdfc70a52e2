import { setTimeout as sleep } from "node:timers/promises";
import { isDatabaseConnectionError } from "@almanac/errors";
import type pg from "pg";
import type { WorkerLogger } from "./worker-logger.js";

/** What the gate pauses and resumes: BullMQ's `Worker`. */
export interface FetchingWorker {
  pause(doNotWaitActive?: boolean): Promise<void>;
  resume(): void;
}

export interface StoreGateOptions {
  readonly worker: FetchingWorker;
  readonly store: pg.Pool;
  readonly logger: WorkerLogger;
  readonly fields: Record<string, unknown>;
  /** Pause between probes of Postgres while it is unreachable. Default 2 000 ms. */
  readonly probeIntervalMs?: number;
  /** A probe without an answer this long counts as failed. Default 5 000 ms. */
  readonly probeTimeoutMs?: number;
}

export interface StoreGate {
  /** Tells the gate how a run job failed; a lost store connection closes it until Postgres answers. */
  noticed(error: unknown): void;
  /** Stops probing (the worker is closing). */
  close(): void;
}

/**
 * Keeps a worker that cannot reach Postgres from taking runs. Such a worker still reaches Redis,
 * so BullMQ keeps handing it jobs, and it fails each at once: a black hole that swallowed every
 * re-enqueued attempt of a run while a healthy worker stood idle (found by the fault suite's
 * netns scenario 9b, the link to Postgres cut). On a failed job whose error is a lost database
 * connection, the gate pauses fetching (the runs it holds go on and fail or finish on their
 * own), probes Postgres with `select 1`, and resumes fetching once it answers.
 */
export function storeGate(options: StoreGateOptions): StoreGate {
  const { worker, store, logger, fields } = options;
  const probeIntervalMs = options.probeIntervalMs ?? 2_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 5_000;
  let closed = false;
  let probing = false;

  const reachable = async (): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), probeTimeoutMs);
    });
    const probe = store.query("select 1").then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([probe, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };

  const probeUntilReachable = async (error: unknown) => {
    probing = true;
    const started = performance.now();
    logger.warn({ ...fields, err: error }, "Postgres unreachable: this worker takes no new runs until it answers");
    await worker.pause(true).catch(() => undefined);
    while (!closed && !(await reachable())) await sleep(probeIntervalMs);
    probing = false;
    if (closed) return;
    worker.resume();
    const downMs = Math.round(performance.now() - started);
    logger.info({ ...fields, downMs }, "Postgres answers again: this worker takes runs again");
  };

  return {
    noticed(error) {
      if (closed || probing || !isDatabaseConnectionError(error)) return;
      void probeUntilReachable(error);
    },
    close() {
      closed = true;
    },
  };
}
