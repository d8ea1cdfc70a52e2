import { windowBounds, windowVars } from "@almanac/partitions";
import { type DataTest, partitionsOf, relationOf, renderCheck, subscribersOf, verdictOf } from "@almanac/project";
import { type CheckResultInput, recordCheckResults, storeDb } from "@almanac/store";
import { columnsOf, quoteIdentifier, quoteRelation, windowPredicate } from "@almanac/warehouse";
import type pg from "pg";
import type { EngineContext } from "./engine-context.js";
import { StoredFailures } from "./store-check-failures.js";
import { openWarehouseQuery } from "./warehouse-query.js";

/** One check's outcome on one partition, as recorded. */
export interface CheckOutcome extends CheckResultInput {
  /** With `store_failures`: where its failing rows are, `"db"."schema"."alias"` as dbt shows it. */
  readonly failuresRelation?: string;
}

/** dbt's pointer under a failed or warned test that stores its failures; '' when it stores none. */
export function seeFailures(outcome: CheckOutcome): string {
  return outcome.failuresRelation === undefined
    ? ""
    : `\nSee test failures:\n  select * from ${outcome.failuresRelation}`;
}

/** The temporary view a partition's checks read the model through. */
const scopeView = "almanac_check_scope";

/** The tests that run when `assetKey` is materialized (see `DataTest.asset`), in definition order. */
export function checksOf(ctx: EngineContext, assetKey: string): DataTest[] {
  return ctx.project.tests.filter((test) => test.asset === assetKey);
}

/**
 * Runs the checks (dbt tests) of `assetKey` on each of `partitionKeys` ('' for a
 * non-partitioned model) and records each outcome in the store.
 *
 * For a partitioned model each partition is checked alone: the model is read through a
 * temporary view restricted to that partition's window on its time column (`event_time`, else
 * a single-column `unique_key`), so `unique` means unique within the day and a partition is
 * judged by its own rows. Checks run after the partition's data committed, in a transaction of
 * their own that is rolled back (they only read; the view goes with it): a check never undoes
 * a materialization, it records a verdict on it, as Dagster's asset checks do. A test whose SQL
 * fails counts as finding failures, with the error as its message.
 *
 * A test with dbt's `store_failures` also writes its failing rows (see `StoredFailures`), and
 * then the partition's transaction commits, with the scope view dropped first.
 *
 * @param runId - the run that materialized the partitions; null for `almanac test`.
 * @param connection - an idle warehouse client to use (a step passes its own, so a step never
 *   holds two pool clients at once); default: one taken from the pool and released.
 */
export async function runChecks(
  ctx: EngineContext,
  assetKey: string,
  partitionKeys: readonly string[],
  runId: string | null,
  connection?: pg.PoolClient,
): Promise<CheckOutcome[]> {
  const tests = checksOf(ctx, assetKey);
  if (tests.length === 0) return [];
  // A seed's tests check the whole table: seeds have no partitions.
  const model = ctx.project.models.get(assetKey);
  const partitions = model === undefined ? undefined : partitionsOf(ctx.project, assetKey);
  const uniqueKey = model?.config.unique_key;
  const timeColumn =
    model?.config.event_time ??
    (typeof uniqueKey === "string" ? uniqueKey : uniqueKey?.length === 1 ? uniqueKey[0] : undefined);
  const outcomes: CheckOutcome[] = [];
  const client = connection ?? (await ctx.warehouse.connect());
  const warehouse = openWarehouseQuery(ctx.warehouse);
  const stored = new StoredFailures();
  let broken: Error | undefined;
  try {
    for (const key of partitionKeys) {
      const window = partitions && key !== "" ? windowBounds(partitions, key, key) : undefined;
      await client.query("begin");
      let commit = false;
      try {
        let scoped: { schema: string; identifier: string } | undefined;
        if (window && timeColumn) {
          const relation = relationOf(ctx.project, assetKey, ctx.target);
          const columns = await columnsOf(client, relation);
          const predicate = windowPredicate(columns, timeColumn, window, "almanac_scoped", `model ${assetKey}`);
          // Views take no bind parameters; the bounds are the partitions package's own ISO strings.
          const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;
          const condition = predicate.sql
            .replace("$1", literal(predicate.params[0]))
            .replace("$2", literal(predicate.params[1]));
          await client.query(
            `create temporary view ${quoteIdentifier(scopeView)} as select * from ${quoteRelation(relation)} as "almanac_scoped" where ${condition}`,
          );
          scoped = { schema: "pg_temp", identifier: scopeView };
        }
        const vars = { ...ctx.vars, ...(window ? windowVars(window) : {}) };
        const storedBefore = stored.writes;
        for (const test of tests) {
          outcomes.push(await runOne(client, ctx, test, key, { vars, scoped, warehouse, stored }, runId));
        }
        if (stored.writes > storedBefore) {
          // The stored failures commit; the scope view must not outlive the transaction on a pooled client.
          if (scoped) await client.query(`drop view ${quoteIdentifier(scopeView)}`);
          commit = true;
        }
      } finally {
        await client.query(commit ? "commit" : "rollback");
      }
    }
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    warehouse.close();
    if (connection === undefined) client.release(broken);
  }
  await recordCheckResults(
    storeDb(ctx.store),
    outcomes,
    subscribersOf(ctx.project.notifications ?? [], "check_failed"),
  );
  return outcomes;
}

async function runOne(
  client: pg.PoolClient,
  ctx: EngineContext,
  test: DataTest,
  partitionKey: string,
  render: {
    vars: Record<string, unknown>;
    scoped: { schema: string; identifier: string } | undefined;
    warehouse: ReturnType<typeof openWarehouseQuery>;
    stored: StoredFailures;
  },
  runId: string | null,
): Promise<CheckOutcome> {
  const partitionAsset = test.asset;
  const base = { assetKey: test.asset, partitionKey, checkName: test.name, severity: test.severity, runId };
  // A savepoint per test: one broken test must not abort the others' transaction.
  await client.query("savepoint almanac_check");
  try {
    const context = { target: ctx.target, vars: render.vars, warehouse: render.warehouse };
    const queries = renderCheck(ctx.project, test, {
      ...context,
      // Only the model being checked is narrowed to the partition; other relations are read whole.
      ...(render.scoped === undefined || test.model !== partitionAsset ? {} : { scoped: render.scoped }),
    });
    const unscoped = () => (render.scoped === undefined ? queries : renderCheck(ctx.project, test, context));
    const failuresRelation = await render.stored.write(client, ctx, queries, unscoped);
    const { rows } = await client.query<{ failures: string | null; should_warn: boolean; should_error: boolean }>(
      queries.verdict,
    );
    const verdict = rows[0] ?? { failures: null, should_warn: false, should_error: false };
    await client.query("release savepoint almanac_check");
    render.stored.settle(failuresRelation);
    // fail_calc may be any SQL expression: record it as a count when it is one.
    const failures = verdict.failures === null ? 0 : Number(verdict.failures);
    return {
      ...base,
      status: verdictOf(test, verdict),
      failures: Number.isFinite(failures) ? Math.round(failures) : null,
      message: null,
      ...(failuresRelation === undefined ? {} : { failuresRelation: failuresRelation.shown }),
    };
  } catch (error) {
    await client.query("rollback to savepoint almanac_check");
    const status = verdictOf(test, { should_warn: true, should_error: true });
    return { ...base, status, failures: null, message: (error as Error).message };
  }
}
