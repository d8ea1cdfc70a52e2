import { type CheckQueries, failuresRelationOf } from "@almanac/project";
import { quoteIdentifier, quoteRelation, storeTestFailures } from "@almanac/warehouse";
import type pg from "pg";
import type { EngineContext } from "./engine-context.js";

/** A test's stored failures as one check wrote them. */
export interface StoredRelation {
  /** `"db"."schema"."alias"`, as dbt prints it under "See test failures". */
  readonly shown: string;
  /** True when this partition's check wrote it (a view is written once per check). */
  readonly wrote: boolean;
}

/**
 * What one `runChecks` call (a step's checks, or one model's in `almanac test`) has stored.
 *
 * dbt replaces a test's failures on every run. Almanac checks a partitioned model partition by
 * partition, so the first partition a call checks replaces the table and the later ones append
 * to it: the table holds the failing rows of every partition that call checked, and nothing
 * older. A view is the test's query over the whole model, made once per call: it outlives the
 * check's transaction, and with it the temporary view that narrows the model to one partition.
 */
export class StoredFailures {
  readonly #replaced = new Set<string>();
  #database: string | undefined;
  /** Stored relations whose test's savepoint was released: the partition's transaction must commit. */
  writes = 0;

  /**
   * Writes `queries.test`'s failing rows when it stores them (`store_failures_as` table or view)
   * and returns where; undefined when it does not. The write counts only once {@link settle}d,
   * after the test's savepoint is released: a test that errors leaves nothing behind.
   *
   * @param unscoped - the test's queries over the whole model, for a view.
   */
  async write(
    client: pg.ClientBase,
    ctx: EngineContext,
    queries: CheckQueries,
    unscoped: () => CheckQueries,
  ): Promise<StoredRelation | undefined> {
    const kind = queries.test.storeFailuresAs;
    if (kind !== "table" && kind !== "view") return undefined;
    const relation = failuresRelationOf(ctx.project, queries.test, ctx.target);
    this.#database ??=
      ctx.target.database ??
      (await client.query<{ name: string }>("select current_database() as name")).rows[0]?.name ??
      "";
    const shown = `${quoteIdentifier(this.#database)}.${quoteRelation(relation)}`;
    const first = !this.#replaced.has(shown);
    if (kind === "view" && !first) return { shown, wrote: false };
    const failingRows = kind === "view" ? unscoped().failingRows : queries.failingRows;
    await storeTestFailures(client, relation, kind, failingRows, first);
    return { shown, wrote: true };
  }

  /** Counts a write whose test's savepoint was released. */
  settle(stored: StoredRelation | undefined): void {
    if (!stored?.wrote) return;
    this.#replaced.add(stored.shown);
    this.writes += 1;
  }
}
