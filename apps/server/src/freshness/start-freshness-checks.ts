import { type AssetFreshness, checkFreshness, type EngineContext } from "@almanac/engine";
import type { QueueLogger } from "@almanac/queue";

export interface FreshnessChecksOptions {
  readonly ctx: EngineContext;
  readonly logger: QueueLogger;
  /** `ALMANAC_FRESHNESS_INTERVAL_MS`: pause between checks. Default 60 000 (lags are whole minutes). */
  readonly intervalMs?: number;
  /** The clock. Default `() => new Date()`. */
  readonly now?: () => Date;
}

export interface FreshnessChecks {
  /** One check now; resolves with the asset partitions it newly found overdue. */
  checkOnce(): Promise<AssetFreshness[]>;
  /** Stops the loop and waits for a check in flight; safe to call twice. */
  close(): Promise<void>;
}

/**
 * The freshness loop of a server process: a check right away, then one every `intervalMs`
 * after the previous one ends. Each newly overdue asset partition is claimed in Postgres with
 * its `asset_overdue` notifications, so with several servers checking it is notified once.
 * Nothing runs when no asset has `freshness:`. A failed check is logged once per distinct
 * message and tried again on the next beat.
 */
export function startFreshnessChecks(options: FreshnessChecksOptions): FreshnessChecks {
  const { ctx, logger } = options;
  const intervalMs = options.intervalMs ?? 60_000;
  const now = options.now ?? (() => new Date());
  let current: Promise<AssetFreshness[]> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let lastError: string | undefined;

  const checkOnce = async (): Promise<AssetFreshness[]> => {
    while (current) await current.catch(() => undefined);
    current = checkFreshness(ctx, now());
    try {
      const claimed = await current;
      for (const asset of claimed) {
        logger.warn(
          { asset: asset.assetKey, partition: asset.partition, deadline: asset.deadline, maxLag: asset.maxLag },
          `asset ${asset.assetKey} is overdue: partition ${asset.partition} not materialized ${asset.maxLag} after its window ended`,
        );
      }
      lastError = undefined;
      return claimed;
    } finally {
      current = undefined;
    }
  };
  const beat = () => {
    checkOnce()
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastError) logger.error({ err: error }, `freshness check failed: ${message}`);
        lastError = message;
      })
      .finally(() => {
        if (!closed) timer = setTimeout(beat, intervalMs).unref();
      });
  };
  if ((ctx.project.freshness?.size ?? 0) > 0) beat();

  let closing: Promise<void> | undefined;
  return {
    checkOnce,
    close() {
      closing ??= (async () => {
        closed = true;
        clearTimeout(timer);
        await current?.catch(() => undefined);
      })();
      return closing;
    },
  };
}
