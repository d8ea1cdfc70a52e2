import {
  type BackfillOnly,
  type BackfillProgress,
  cancelBackfill,
  executeBackfill,
  getBackfillProgress,
  requestBackfill,
  stepLabel,
} from "@almanac/engine";
import { migrate } from "@almanac/store";
import type { AlmanacEnv } from "../config.js";
import { openSession } from "../connections.js";
import { exitCodes, paint } from "../output.js";
import { type BackfillDisplay, type BackfillView, backfillDisplay } from "./backfill-display.js";
import { backfillClient, watchBackfill } from "./backfill-remote.js";

export interface BackfillFlags {
  readonly from: string;
  readonly to: string;
  readonly policy?: "single_run" | "multi_run";
  readonly maxPartitionsPerRun?: number;
  readonly only?: BackfillOnly;
  /** Base URL of a running server (`http://host:3000`): request there and follow the progress. */
  readonly remote?: string;
}

/**
 * `almanac backfill <selection> --from A --to B`: with `--remote URL`, requests the backfill
 * from a running server and follows it; without, records it and executes its runs in this
 * process (no Redis needed), split per the policy like the workers would. Progress goes to
 * stderr, the outcome to stdout. Exits 0 when the backfill completed, 1 when it completed with
 * failures or was canceled, 2 for bad input (nothing recorded).
 */
export async function backfillCommand(
  env: AlmanacEnv,
  projectDir: string,
  selection: string,
  flags: BackfillFlags,
): Promise<number> {
  const request = {
    select: selection,
    from: flags.from,
    to: flags.to,
    policy: flags.policy,
    maxPartitionsPerRun: flags.maxPartitionsPerRun,
    only: flags.only,
  };
  const started = performance.now();
  const display = backfillDisplay();
  try {
    const outcome = flags.remote
      ? await remoteBackfill(flags.remote, env.apiToken, request, display)
      : await localBackfill(env, projectDir, request, display);
    display.stop();
    if (outcome === "interrupted") return exitCodes.canceled;
    process.stdout.write(`${summary(outcome, performance.now() - started)}\n`);
    return outcome.status === "completed" ? exitCodes.ok : exitCodes.runFailed;
  } finally {
    display.stop();
  }
}

type Outcome = BackfillView | "interrupted";

/** POSTs the backfill and polls it. Ctrl-C stops following; the backfill goes on on the server. */
async function remoteBackfill(
  baseUrl: string,
  token: string | undefined,
  request: Parameters<ReturnType<typeof backfillClient>["request"]>[0],
  display: BackfillDisplay,
): Promise<Outcome> {
  const client = backfillClient(baseUrl, token);
  const accepted = await client.request(request);
  display.note(
    `backfill ${accepted.backfillId}: ${accepted.partitions} partitions in ${accepted.runs} runs on ${baseUrl}`,
  );
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once("SIGINT", onInterrupt);
  try {
    const last = await watchBackfill(client, accepted.backfillId, (view) => display.update(view), {
      signal: stop.signal,
    });
    if (last) return last;
    display.stop();
    process.stderr.write(
      `stopped following: backfill ${accepted.backfillId} goes on on the server ` +
        `(GET ${baseUrl}/api/backfills/${accepted.backfillId}; POST …/cancel to stop it)\n`,
    );
    return "interrupted";
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}

/** Records the backfill and executes it here. First Ctrl-C cancels it after the current step; a second exits. */
async function localBackfill(
  env: AlmanacEnv,
  projectDir: string,
  request: Parameters<typeof requestBackfill>[1],
  display: BackfillDisplay,
): Promise<Outcome> {
  const session = await openSession(env, projectDir);
  const stop = new AbortController();
  let backfillId: string | undefined;
  const onInterrupt = () => {
    if (stop.signal.aborted || !backfillId) process.exit(exitCodes.canceled);
    stop.abort();
    display.note("canceling: the current step finishes, the rest is given back (Ctrl-C again to stop now)");
    void cancelBackfill(session.ctx, backfillId);
  };
  process.on("SIGINT", onInterrupt);
  try {
    await migrate(session.storeUrl);
    const accepted = await requestBackfill(session.ctx, request, {
      now: new Date(),
      maxPartitions: env.maxBackfillPartitions,
    });
    backfillId = accepted.backfillId;
    const id = accepted.backfillId;
    display.note(`backfill ${id}: ${accepted.partitions} partitions in ${accepted.runs} runs, in this process`);
    display.update(view(await getBackfillProgress(session.ctx, id)));
    const done = await executeBackfill(session.ctx, id, {
      signal: stop.signal,
      onStep: async (report) => {
        if (report.status !== "succeeded") {
          const status = report.status === "skipped" ? paint("yellow", "skipped") : paint("red", "failed");
          display.note(`${status} ${report.errorMessage ?? stepLabel(report)} [${report.errorCode}]`);
        }
        display.update(view(await getBackfillProgress(session.ctx, id)));
      },
    });
    display.update(view(done));
    return view(done);
  } finally {
    process.off("SIGINT", onInterrupt);
    await session.close();
  }
}

function view(progress: BackfillProgress): BackfillView {
  return { id: progress.id, status: progress.status, counts: progress.counts, runs: progress.runs };
}

function summary(view: BackfillView, elapsedMs: number): string {
  const { counts } = view;
  const seconds = (elapsedMs / 1000).toFixed(1);
  return (
    `backfill ${view.id} ${view.status}: ${counts.materialized}/${counts.total} asset partitions materialized, ` +
    `${counts.failed} failed${counts.canceled > 0 ? `, ${counts.canceled} canceled` : ""}, ` +
    `${view.runs.total} runs in ${seconds} s`
  );
}
