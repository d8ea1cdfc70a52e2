import { reportSourceEvent } from "@almanac/engine";
import { migrate } from "@almanac/store";
import type { AlmanacEnv } from "../config.js";
import { openSession } from "../connections.js";

export interface ReportFlags {
  readonly partition?: string;
  readonly from?: string;
  readonly to?: string;
}

/**
 * `almanac report <source>.<table> [--partition K | --from A --to B]`: what a loader runs when
 * it has landed new data, as `POST /api/sources/<source>.<table>/events` does over HTTP. Without
 * keys, the whole table changed.
 */
export async function reportCommand(
  env: AlmanacEnv,
  projectDir: string,
  source: string,
  flags: ReportFlags,
): Promise<number> {
  const session = await openSession(env, projectDir);
  try {
    await migrate(session.storeUrl);
    const event = await reportSourceEvent(session.ctx, source, flags, { reportedBy: "cli", now: new Date() });
    const what =
      event.partitionFrom === undefined
        ? "the whole table"
        : event.partitionFrom === event.partitionTo
          ? `${event.partitionsDef} ${event.partitionFrom}`
          : `${event.partitionsDef} ${event.partitionFrom}..${event.partitionTo}`;
    process.stdout.write(`reported ${source}: ${what} updated at ${event.reportedAt.toISOString()}\n`);
    return 0;
  } finally {
    await session.close();
  }
}
