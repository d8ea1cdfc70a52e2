import cliProgress from "cli-progress";
import { paint } from "../output.js";

/** What the display needs of a backfill, whether it comes from the engine or the REST API. */
export interface BackfillView {
  readonly id: string;
  readonly status: string;
  readonly counts: {
    readonly queued: number;
    readonly running: number;
    readonly materialized: number;
    readonly failed: number;
    readonly canceled: number;
    readonly total: number;
  };
  readonly runs: {
    readonly total: number;
    readonly succeeded: number;
    readonly failed: number;
    readonly canceled: number;
  };
}

/** Shows a backfill's progress: a bar with counts and an ETA on a terminal, a line per change otherwise. */
export interface BackfillDisplay {
  update(view: BackfillView): void;
  /** A line above the bar (a failed step, say). */
  note(line: string): void;
  stop(): void;
}

const finished = (view: BackfillView) => view.counts.materialized + view.counts.failed + view.counts.canceled;

/**
 * On a TTY (stderr), a cli-progress bar whose value is the asset partitions done (materialized,
 * failed or canceled) out of all the backfill targets, with the counts and cli-progress's ETA.
 * Elsewhere (CI logs, pipes), one plain line whenever the counts change, with an ETA from the
 * rate so far: a log a person can read later.
 */
export function backfillDisplay(stream: NodeJS.WriteStream = process.stderr): BackfillDisplay {
  return stream.isTTY ? barDisplay(stream) : lineDisplay(stream);
}

function barDisplay(stream: NodeJS.WriteStream): BackfillDisplay {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format:
        "{bar} {percentage}% | {value}/{total} | {materialized} ok, {failed} failed, {running} running, " +
        "{queued} queued | runs {runsDone}/{runsTotal} | ETA {eta_formatted}",
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  let stopped = false;
  return {
    update(view) {
      const payload = {
        ...view.counts,
        runsDone: view.runs.succeeded + view.runs.failed + view.runs.canceled,
        runsTotal: view.runs.total,
      };
      if (!bar) bar = bars.create(view.counts.total, finished(view), payload);
      else {
        bar.setTotal(view.counts.total);
        bar.update(finished(view), payload);
      }
    },
    note(line) {
      bars.log(`${line}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bars.stop();
    },
  };
}

function lineDisplay(stream: NodeJS.WriteStream): BackfillDisplay {
  let last = "";
  // The rate is measured from the first look: a backfill followed late may be half done already.
  let first: { at: number; done: number } | undefined;
  return {
    update(view) {
      const done = finished(view);
      first ??= { at: performance.now(), done };
      const { counts, runs } = view;
      const line =
        `backfill ${view.id} ${view.status}: ${done}/${counts.total} done — ${counts.materialized} materialized, ` +
        `${counts.failed} failed, ${counts.running} running, ${counts.queued} queued` +
        (counts.canceled > 0 ? `, ${counts.canceled} canceled` : "") +
        ` (runs ${runs.succeeded + runs.failed + runs.canceled}/${runs.total})`;
      if (line === last) return;
      last = line;
      stream.write(`${line}${eta(done - first.done, counts.total - done, performance.now() - first.at)}\n`);
    },
    note(line) {
      stream.write(`${line}\n`);
    },
    stop() {},
  };
}

/** `, ETA 12 s` from the rate observed so far; nothing before the first partition is done or after the last. */
function eta(doneSinceStart: number, remaining: number, elapsedMs: number): string {
  if (doneSinceStart <= 0 || remaining <= 0) return "";
  const seconds = Math.ceil(((elapsedMs / doneSinceStart) * remaining) / 1000);
  return paint("dim", `, ETA ${seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`}`);
}
