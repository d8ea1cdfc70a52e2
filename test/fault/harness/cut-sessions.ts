import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";

/** What became of the Postgres sessions of a client address after its link was cut. */
export interface CutSessions {
  /** Transaction ids seen held by its sessions (a write in flight), as 64-bit xids. */
  readonly xids: ReadonlySet<string>;
  /** Seconds from `watch` until the client had no session left (its locks freed), if it happened. */
  readonly goneAfterS: number | undefined;
  /** Stops watching (idempotent). Until then the poll keeps the test process alive. */
  stop(): Promise<void>;
}

/**
 * Polls `pg_stat_activity` every 100 ms for the sessions of `clientAddress`, collecting the
 * transaction ids they hold and the moment none is left. Postgres is the one to say: the
 * sessions of a cut-off client end only when the server drops them.
 */
export function watchCutSessions(db: pg.Pool, clientAddress: string): CutSessions {
  const started = performance.now();
  const xids = new Set<string>();
  let goneAfterS: number | undefined;
  let stopped = false;
  const loop = (async () => {
    while (!stopped && goneAfterS === undefined) {
      // A 32-bit backend_xid widened with the current epoch (pg_xact_status takes xid8).
      const { rows } = await db
        .query<{ xid: string | null }>(
          `select (((pg_current_xact_id()::text::bigint >> 32) << 32) + backend_xid::text::bigint)::text as xid
           from pg_stat_activity where client_addr = $1::inet`,
          [clientAddress],
        )
        .catch(() => ({ rows: undefined }));
      if (rows !== undefined) {
        for (const row of rows) if (row.xid !== null) xids.add(row.xid);
        if (rows.length === 0) goneAfterS = (performance.now() - started) / 1000;
      }
      await sleep(100);
    }
  })();
  return {
    xids,
    get goneAfterS() {
      return goneAfterS;
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** `pg_xact_status` of each transaction id: `committed`, `aborted` or `in progress`. */
export async function transactionStatuses(db: pg.Pool, xids: Iterable<string>): Promise<Record<string, string>> {
  const { rows } = await db.query<{ xid: string; status: string }>(
    "select x as xid, pg_xact_status(x::xid8) as status from unnest($1::text[]) as x",
    [[...xids]],
  );
  return Object.fromEntries(rows.map((row) => [row.xid, row.status]));
}

/** Every session of `database` and what it waits on: what a stalled scenario prints. */
export async function activitySnapshot(db: pg.Pool, database: string): Promise<string> {
  const { rows } = await db.query(
    `select pid, client_addr::text, state, wait_event_type, wait_event, backend_xid::text as xid,
            round(extract(epoch from now() - xact_start)::numeric, 1) as xact_s, left(query, 100) as query
     from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() order by client_addr, pid`,
    [database],
  );
  return rows.map((row) => JSON.stringify(row)).join("\n");
}
