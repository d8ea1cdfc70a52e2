import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type FaultWorld, slowDailyMetrics, startFaultWorld } from "./harness/fault-world.js";
import { assertInvariants, referenceFingerprints } from "./harness/invariants.js";

// Scenario 11: many clients at once. 50 clients for ALMANAC_FAULT_LOAD_SECONDS (20 s in the
// suite; 120 s is the full length) post overlapping runs and backfills and read
// statuses while three workers run. No reply is a 5xx, no run fails (a deadlock would fail
// one), everything requested finishes, and a final backfill over every day keeps the
// invariants. p50/p99 latencies per kind of request are printed.
const clients = 50;
const seconds = Number(process.env.ALMANAC_FAULT_LOAD_SECONDS ?? 20);
let world: FaultWorld;
let reference: Record<string, string>;
before(async () => {
  world = await startFaultWorld({ editProject: (dir) => slowDailyMetrics(dir, 0.1) });
  reference = await referenceFingerprints(world.days);
});
after(() => world?.close());

type Kind = "run" | "backfill" | "assets" | "statuses" | "backfills";

/** A deterministic choice per client and step, so a failure can be replayed. */
function pick(client: number, step: number, n: number): number {
  return ((client * 7919 + step * 104_729) >>> 0) % n;
}

function day(n: number): string {
  return `2024-01-${String(n + 1).padStart(2, "0")}`;
}

async function request(kind: Kind, client: number, step: number): Promise<number> {
  const a = pick(client, step, 10);
  const b = pick(client + 1, step + 3, 10);
  switch (kind) {
    case "run":
      return (await world.api("POST", "/api/runs", { select: "daily_metrics daily_zone_metrics", partition: day(a) }))
        .status;
    case "backfill":
      return (
        await world.api("POST", "/api/backfills", {
          select: "+tag:daily+",
          from: day(Math.min(a, b)),
          to: day(Math.max(a, b)),
        })
      ).status;
    case "assets":
      return (await world.api("GET", "/api/assets")).status;
    case "statuses":
      return (await world.api("GET", "/api/assets/daily_metrics/statuses")).status;
    case "backfills":
      return (await world.api("GET", "/api/backfills?limit=20")).status;
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

test(`scenario 11: ${clients} clients for ${seconds} s of overlapping runs, backfills and reads on three workers`, async () => {
  // Rate limiting is per client IP, and every client here is 127.0.0.1: lift it for the load.
  await world.startServer({ ALMANAC_RATE_LIMIT_PER_MINUTE: "1000000" });
  for (let i = 0; i < 3; i++) world.startWorker();
  // The staging views first: runs of the marts alone read them (and views rebuilt by the
  // backfills meanwhile must never be seen missing).
  const views = await world.backfill({ from: "2024-01-01", to: "2024-01-01" });
  assert.equal((await world.waitForBackfill(views)).status, "completed");

  const latencies = new Map<Kind, number[]>();
  const statuses = new Map<number, number>();
  const kinds: Kind[] = [
    "run",
    "run",
    "statuses",
    "assets",
    "statuses",
    "backfills",
    "run",
    "statuses",
    "backfill",
    "assets",
  ];
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let step = 0; performance.now() < until; step++) {
        const kind = kinds[pick(client, step, kinds.length)] as Kind;
        const started = performance.now();
        const status = await request(kind, client, step).catch(() => 0);
        latencies.set(kind, [...(latencies.get(kind) ?? []), performance.now() - started]);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const summary = [...latencies]
    .map(
      ([kind, ms]) =>
        `${kind} n=${ms.length} p50 ${percentile(ms, 50).toFixed(0)} ms p99 ${percentile(ms, 99).toFixed(0)} ms`,
    )
    .join("; ");
  console.log(`recovery: scenario 11 (load) ${summary}; replies ${JSON.stringify(Object.fromEntries(statuses))}`);
  const serverErrors = [...statuses].filter(([status]) => status >= 500 || status === 0);
  assert.deepEqual(serverErrors, [], "no 5xx and no dropped connection");

  // Everything requested finishes, and nothing failed (a deadlock or a lost lock would fail a run).
  await world.waitFor(
    "every run finished",
    async () => {
      const { rows } = await world.db.query<{ n: number }>(
        "select count(*)::int as n from almanac.runs where status in ('queued', 'running')",
      );
      return rows[0]?.n === 0;
    },
    180_000,
  );
  const { rows: failed } = await world.db.query(
    "select id, error_code, error_message from almanac.runs where status <> 'succeeded'",
  );
  assert.deepEqual(failed, [], "every run succeeded");

  // A final backfill over every day, after the load, must see the invariants hold.
  const last = await world.backfill();
  assert.equal((await world.waitForBackfill(last, 180_000)).status, "completed");
  await assertInvariants(world.db, { backfillIds: [last], reference, partitions: 10 });
});
