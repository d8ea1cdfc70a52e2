import { createTestDatabase, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import type { TimeWindow } from "../src/index.js";

/** A database of the test file's own, with one open client; call `close()` in `after`. */
export interface TestWarehouse {
  readonly database: TestDatabase;
  readonly client: pg.Client;
  /** A further connection (readers, concurrent writers); closed by `close()`. */
  connect(): Promise<pg.Client>;
  close(): Promise<void>;
}

export async function openTestWarehouse(): Promise<TestWarehouse> {
  const database = await createTestDatabase({ template: "empty" });
  const clients: pg.Client[] = [];
  const connect = async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    // Errors of killed connections surface through the query promise; keep them off `error`.
    client.on("error", () => undefined);
    clients.push(client);
    return client;
  };
  const client = await connect();
  return {
    database,
    client,
    connect,
    close: async () => {
      await Promise.allSettled(clients.map((c) => c.end()));
      await database.drop();
    },
  };
}

/** Runs `work` the way the engine does: begin, work, commit; rollback and rethrow on failure. */
export async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query("begin");
  try {
    const result = await work();
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback");
    throw error;
  }
}

/** A daily UTC window for `day` (`YYYY-MM-DD`). */
export function utcDay(day: string): TimeWindow {
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  const end = next.toISOString().slice(0, 10);
  return {
    startDate: day,
    endDate: end,
    startTs: `${day}T00:00:00.000+00:00`,
    endTs: `${end}T00:00:00.000+00:00`,
    startLocal: `${day}T00:00:00`,
    endLocal: `${end}T00:00:00`,
    timezone: "UTC",
  };
}

/** Every row of a relation as one deterministic JSON text: equal strings mean equal contents. */
export async function snapshot(client: pg.ClientBase, relation: string): Promise<string> {
  const { rows } = await client.query<{ rows: string }>(
    `select coalesce(json_agg(r order by r::text), '[]')::text as rows from ${relation} as r`,
  );
  return rows[0]?.rows ?? "";
}

/** `select … order by 1` as plain objects, for readable assertions. */
export async function rowsOf<T extends pg.QueryResultRow>(client: pg.ClientBase, sql: string): Promise<T[]> {
  return (await client.query<T>(sql)).rows;
}
