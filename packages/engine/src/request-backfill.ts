import { AlmanacError } from "@almanac/errors";
import type { BackfillPolicy } from "@almanac/project";
import { storeDb } from "@almanac/store";
import { type BackfillOnly, backfillOnlyValues, keysByStatus } from "./backfill-only.js";
import { planBackfill } from "./backfill-plan.js";
import type { EngineContext } from "./engine-context.js";
import { policyOf } from "./materialize-selection.js";
import { type RecordedBackfill, recordBackfill } from "./record-backfill.js";
import { resolveRunRequest } from "./run-request.js";
import { inPlanSpan } from "./run-spans.js";

/** DESIGN §5 `POST /api/backfills`: a selection over an inclusive range of partitions. */
export interface BackfillRequest {
  /** dbt selection syntax; must hold at least one partitioned model. */
  readonly select: string;
  /** First and last key of the inclusive range. */
  readonly from: string;
  readonly to: string;
  /** Default: almanac.yml's `backfill_policy` for the selected models, else `multi_run`. */
  readonly policy?: BackfillPolicy["type"];
  /** Partitions per run with `multi_run` (implies it when `policy` is omitted). Default 1. */
  readonly maxPartitionsPerRun?: number;
  /** Only the partitions in this state at request time. Default: every partition of the range. */
  readonly only?: BackfillOnly;
}

export interface RequestBackfillOptions {
  /** For key validation ("after the last partition"); pass the clock at the edge. */
  readonly now: Date;
  /** Ranges longer than this are refused before anything is read or written. Default 100,000. */
  readonly maxPartitions?: number;
}

export const defaultMaxBackfillPartitions = 100_000;

/**
 * Records a backfill: checks the request (every bad input throws before anything is written),
 * selects the partitions (`only`), splits them into runs per the policy, and records the
 * backfill, its runs and steps and its partitions as queued in one transaction. The caller
 * hands `ready` (the first wave) to the queue, or executes the backfill in process.
 */
export async function requestBackfill(
  ctx: EngineContext,
  request: BackfillRequest,
  options: RequestBackfillOptions,
): Promise<RecordedBackfill> {
  const policy = requestedPolicy(request);
  if (request.only !== undefined && !backfillOnlyValues.includes(request.only)) {
    throw new AlmanacError(
      "ALMANAC_BAD_REQUEST",
      `unknown only "${request.only}": use one of ${backfillOnlyValues.join(", ")}`,
    );
  }
  const resolved = resolveRunRequest(
    ctx.project,
    { select: request.select, from: request.from, to: request.to },
    options.now,
  );
  const maxPartitions = options.maxPartitions ?? defaultMaxBackfillPartitions;
  if (resolved.keys.length > maxPartitions) {
    throw new AlmanacError(
      "ALMANAC_BAD_PARTITION_RANGE",
      `${request.from}..${request.to} holds ${resolved.keys.length} partitions, more than the ${maxPartitions} ` +
        "one backfill may cover: split the range into several backfills",
      { from: request.from, to: request.to, partitions: resolved.keys.length, maxPartitions },
    );
  }
  const keys =
    request.only === undefined
      ? resolved.keys
      : await keysByStatus(storeDb(ctx.store), ctx.project, resolved, request.only);
  const chosen = policy ?? policyOf(ctx.project, resolved.models, resolved.partitions?.name);
  return recordBackfill(ctx.store, {
    request: resolved,
    policy: chosen,
    only: request.only,
    from: request.from,
    to: request.to,
    partitions: keys.length,
    runs: inPlanSpan(request, () => planBackfill(ctx.project, resolved, keys, chosen)),
  });
}

/** The policy the request asks for, if any; `maxPartitionsPerRun` alone means `multi_run`. */
function requestedPolicy(request: BackfillRequest): BackfillPolicy | undefined {
  const { policy, maxPartitionsPerRun: max } = request;
  if (policy !== undefined && policy !== "single_run" && policy !== "multi_run") {
    throw new AlmanacError("ALMANAC_BAD_REQUEST", `unknown policy "${policy}": use single_run or multi_run`);
  }
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 1)) {
    throw new AlmanacError("ALMANAC_BAD_REQUEST", `maxPartitionsPerRun must be a positive integer, not ${max}`);
  }
  if (policy === "single_run" && max !== undefined) {
    throw new AlmanacError(
      "ALMANAC_BAD_REQUEST",
      "maxPartitionsPerRun applies to policy multi_run; drop it or use multi_run",
    );
  }
  if (policy === undefined && max === undefined) return undefined;
  return policy === "single_run" ? { type: "single_run" } : { type: "multi_run", maxPartitionsPerRun: max ?? 1 };
}
