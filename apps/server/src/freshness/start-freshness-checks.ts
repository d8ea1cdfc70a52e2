import { type AssetFreshness, checkFreshness, type EngineContext } from "@almanac/engine";
import type { QueueLogger } from "@almanac/queue";
import { startBackgroundLoop } from "../background-loop.js";

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
  if ((ctx.project.freshness?.size ?? 0) === 0) {
    return { checkOnce: () => checkFreshness(ctx, now()), close: async () => undefined };
  }
  const loop = startBackgroundLoop({
    name: "freshness check",
    logger,
    delayMs: intervalMs,
    pass: async () => {
      const claimed = await checkFreshness(ctx, now());
      for (const asset of claimed) {
        logger.warn(
          { asset: asset.assetKey, partition: asset.partition, deadline: asset.deadline, maxLag: asset.maxLag },
          `asset ${asset.assetKey} is overdue: partition ${asset.partition} not materialized ${asset.maxLag} after its window ended`,
        );
      }
      return claimed;
    },
  });
  return { checkOnce: loop.runNow, close: loop.close };
}
