import { isAlmanacError } from "@almanac/errors";
import { lastPartitionKey, type PartitionsDefinition, upstreamKeysOf } from "@almanac/partitions";
import { microbatchLookback, selectModels } from "@almanac/project";
import {
  finishScheduleTick,
  getRun,
  getScheduleTick,
  getScheduleTickClaim,
  insertScheduleTick,
  recordScheduleTickRun,
  releaseAbandonedScheduleTick,
  type ScheduleTickRow,
  type StoreDb,
  storeDb,
} from "@almanac/store";
import type pg from "pg";
import type { EngineContext } from "./engine-context.js";
import { requestRun } from "./request-run.js";
import { findSchedule, scheduleSwitches } from "./schedule-lookup.js";

/** Hands a recorded run attempt to the workers (the run queue's `enqueueRuns`). */
export type EnqueueRun = (run: { readonly runId: string; readonly attempt: number }) => Promise<void>;

export interface FireTickOptions {
  /** The scheduled instant: the tick targets the last complete partition at it. */
  readonly tickTime: Date;
  /** Called with the run the tick recorded, unless it joined a run that is already running. */
  readonly enqueue: EnqueueRun;
}

/** What a tick did, as recorded in `almanac.schedule_ticks`. */
export interface TickOutcome {
  readonly tick: ScheduleTickRow;
  /** Set when the run is recorded but Redis did not take it; the reconciler enqueues it later. */
  readonly enqueueError?: Error;
}

/**
 * Fires one tick of a schedule. The target is the last complete partition at `tickTime`
 * (`lastPartitionKey`, in the partitions definition's zone). The tick first claims its
 * (schedule, partition) pair in the store; only the claimant requests the run
 * (`requestRun(…, {now: tickTime, trigger: "schedule"})`), so a second firing for the same
 * partition — BullMQ delivering twice, a restart's catch-up, a person pressing "tick", several
 * servers — is recorded `skipped` and starts nothing. Outcomes, all recorded:
 * - `started`: a run was recorded (or a run already holding the partition was joined), with its id;
 * - `skipped`: the schedule is off, no partition is complete yet, or the partition was claimed;
 * - `failed`: the request was refused (a selection that no longer matches, say), with the error.
 *   A failed tick frees its claim, so a later firing can try again.
 *
 * @throws AlmanacError `ALMANAC_UNKNOWN_SCHEDULE`; store errors (the tick job is retried).
 */
export async function fireScheduleTick(
  ctx: EngineContext,
  name: string,
  options: FireTickOptions,
): Promise<TickOutcome> {
  const { schedule, partitions } = findSchedule(ctx.project, name);
  const db = storeDb(ctx.store);
  const { tickTime } = options;
  const partitionKey = lastPartitionKey(partitions, tickTime) ?? null;
  const skip = (message: string, runId: string | null = null) =>
    recordSkipped(db, { scheduleName: name, tickTime, partitionKey, message, runId });

  if (!(await scheduleSwitches(db))(name)) {
    return skip(`schedule ${name} is off: turn it on with POST /api/schedules/${name}/enable`);
  }
  if (partitionKey === null) {
    return skip(`no partition of ${partitions.name} is complete at ${tickTime.toISOString()} yet`);
  }
  // Claiming and recording the run are two transactions; a process can die between them. The
  // launch lock (a session lock, so Postgres drops it with a dead process's connection) tells a
  // claim being launched from one whose launcher died: whoever holds the lock and finds a claim
  // without a run frees it at once, instead of the partition never launching (found by the
  // fault suite's crash-looping schedule scenario).
  const launch = await ctx.store.connect();
  let broken: Error | undefined;
  try {
    if (!(await tryLaunchLock(launch, name, partitionKey))) {
      return skip(`partition ${partitionKey} is being launched by another process`);
    }
    try {
      const request = {
        select: schedule.select,
        ...lookbackRange(partitions, partitionKey, tickLookback(ctx, schedule)),
      };
      return await launchTick(ctx, db, name, request, partitionKey, options, skip);
    } finally {
      await launch
        .query("select pg_advisory_unlock(hashtextextended($1, 0))", [launchLockKey(name, partitionKey)])
        .catch((error: Error) => {
          broken = error;
        });
    }
  } finally {
    launch.release(broken);
  }
}

/**
 * The keys a tick runs: its target and the `lookback` partitions before it (clipped at the
 * definition's start), as a self-mapping `{start_offset: -lookback, end_offset: 0}` reads them.
 */
function lookbackRange(
  partitions: PartitionsDefinition,
  target: string,
  lookback: number,
): { from: string; to: string } {
  const range = upstreamKeysOf(partitions, { from: target, to: target }, partitions, {
    startOffset: -lookback,
    endOffset: 0,
  });
  return range ?? { from: target, to: target };
}

/**
 * The schedule's `lookback`, or more when it selects dbt microbatch models: their `lookback`
 * batches are run again on every tick, as `dbt run` does. A selection that no longer matches is
 * left to the request to refuse.
 */
function tickLookback(ctx: EngineContext, schedule: { select: string; lookback: number }): number {
  let models: string[] = [];
  try {
    models = selectModels(ctx.project, schedule.select);
  } catch {
    return schedule.lookback;
  }
  const selected = models.flatMap((name) => ctx.project.models.get(name) ?? []);
  return Math.max(schedule.lookback, microbatchLookback(selected));
}

function launchLockKey(schedule: string, partitionKey: string): string {
  return `almanac:tick:${schedule}:${partitionKey}`;
}

async function tryLaunchLock(client: pg.PoolClient, schedule: string, partitionKey: string): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>(
    "select pg_try_advisory_lock(hashtextextended($1, 0)) as locked",
    [launchLockKey(schedule, partitionKey)],
  );
  return rows[0]?.locked === true;
}

/** Claim, request the run, record it: under the launch lock of (schedule, partition). */
async function launchTick(
  ctx: EngineContext,
  db: StoreDb,
  name: string,
  request: { select: string; from: string; to: string },
  partitionKey: string,
  options: FireTickOptions,
  skip: (message: string, runId?: string | null) => Promise<TickOutcome>,
): Promise<TickOutcome> {
  const { tickTime } = options;
  // Under the lock, no other launch of this partition is in flight: a claim without a run is abandoned.
  await releaseAbandonedScheduleTick(db, { scheduleName: name, partitionKey, olderThanMs: 0 });
  const claim = await insertScheduleTick(db, { scheduleName: name, tickTime, partitionKey, status: "started" });
  if (!claim.inserted) {
    const holder = await getScheduleTickClaim(db, { scheduleName: name, partitionKey });
    const by = holder ? ` by the tick of ${holder.tickTime.toISOString()}` : "";
    // The claimant records its run right after claiming; a firing racing it sees no run yet.
    const message = holder?.runId
      ? `partition ${partitionKey} was already launched${by} (run ${holder.runId})`
      : `partition ${partitionKey} is being launched${by}`;
    return skip(message, holder?.runId ?? null);
  }

  const tickId = claim.tick.id;
  let submitted: Awaited<ReturnType<typeof requestRun>>;
  try {
    submitted = await requestRun(ctx, request, { now: tickTime, trigger: "schedule" });
  } catch (error) {
    // Free the claim whatever happened, so a later firing can try again.
    const message = isAlmanacError(error) ? `${error.code}: ${error.message}` : String(error);
    await finishScheduleTick(db, { tickId, status: "failed", message });
    if (isAlmanacError(error) && !error.retryable) return { tick: await tickRow(db, tickId) };
    throw error;
  }
  const message = submitted.existing
    ? `joined run ${submitted.runId}, which already had ${partitionKey} queued or running`
    : null;
  await recordScheduleTickRun(db, { tickId, runId: submitted.runId, message });
  const tick = await tickRow(db, tickId);
  // A joined run that is running already has its worker; a second job would take it over.
  if (submitted.existing && (await getRun(db, submitted.runId))?.status !== "queued") return { tick };
  try {
    await options.enqueue({ runId: submitted.runId, attempt: submitted.attempt });
    return { tick };
  } catch (error) {
    return { tick, enqueueError: error instanceof Error ? error : new Error(String(error)) };
  }
}

async function recordSkipped(
  db: StoreDb,
  input: { scheduleName: string; tickTime: Date; partitionKey: string | null; message: string; runId: string | null },
): Promise<TickOutcome> {
  const row = await insertScheduleTick(db, { ...input, status: "skipped" });
  // Skipped ticks claim nothing, so the insert cannot conflict.
  if (!row.inserted) throw new Error(`schedule ${input.scheduleName}: recording a skipped tick conflicted`);
  return { tick: row.tick };
}

async function tickRow(db: StoreDb, tickId: string): Promise<ScheduleTickRow> {
  const row = await getScheduleTick(db, tickId);
  if (!row) throw new Error(`schedule tick ${tickId} vanished`);
  return row;
}
