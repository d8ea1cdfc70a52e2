import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isAlmanacError } from "@almanac/errors";
import { type MaterializeRequest, type MaterializeResult, materialize } from "../src/index.js";
import { inTransaction, openTestWarehouse, rowsOf, snapshot, type TestWarehouse, utcDay } from "./fixture.js";

type Trip = readonly [id: number, region: string, day: string, fare: number];

describe("incremental strategies", () => {
  let wh: TestWarehouse;
  before(async () => {
    wh = await openTestWarehouse();
    await wh.client.query("create schema src; create schema analytics");
  });
  after(async () => {
    await wh?.close();
  });

  /** (Re)fills source table src.<name> with trips. */
  async function setSource(name: string, trips: readonly Trip[]): Promise<void> {
    await wh.client.query(`create table if not exists src.${name} (id int, region text, day date, fare int)`);
    await wh.client.query(`truncate src.${name}`);
    for (const trip of trips) await wh.client.query(`insert into src.${name} values ($1, $2, $3, $4)`, [...trip]);
  }

  function run(name: string, extra: Partial<MaterializeRequest>): Promise<MaterializeResult> {
    return inTransaction(wh.client, () =>
      materialize(wh.client, {
        relation: { schema: "analytics", identifier: name },
        sql: `select id, region, day, fare from src.${name}`,
        materialized: "incremental",
        ...extra,
      }),
    );
  }

  const tripsOf = async (name: string) =>
    (
      await rowsOf<{ id: number; region: string; day: string; fare: number }>(
        wh.client,
        `select id, region, to_char(day, 'YYYY-MM-DD') as day, fare from analytics.${name} order by day, id, region`,
      )
    ).map((r) => [r.id, r.region, r.day, r.fare]);

  const day1 = utcDay("2024-01-01");
  const day2 = utcDay("2024-01-02");

  describe("window_overwrite (the default for partitioned runs)", () => {
    const name = "overwrite";
    const partition = (window = day1) => ({ window, timeColumn: "day" });

    it("re-running the same window with the same data leaves the table identical", async () => {
      await setSource(name, [
        [1, "eu", "2024-01-01", 10],
        [2, "eu", "2024-01-01", 20],
        [3, "us", "2024-01-02", 30],
      ]);
      await run(name, partition(day1));
      await run(name, partition(day2));
      const before = await snapshot(wh.client, `analytics.${name}`);
      const rerun = await run(name, partition(day1));
      assert.equal(await snapshot(wh.client, `analytics.${name}`), before);
      assert.deepEqual([rerun.rowsDeleted, rerun.rowsWritten], [2, 2]);
      assert.ok(rerun.statements.some((s) => s.includes(`delete from "analytics"."${name}"`)));
      assert.deepEqual(rerun.warnings, []);
    });

    it("writes straight from the model when its columns match the table, and stages when they do not", async () => {
      const direct = "overwrite_direct";
      await setSource(direct, [
        [1, "eu", "2024-01-01", 10],
        [2, "us", "2024-01-02", 20],
      ]);
      await run(direct, partition(day1));
      const steady = await run(direct, partition(day2));
      assert.equal(
        steady.statements.some((s) => s.startsWith("create temporary table")),
        false,
        "no staging table in the steady state",
      );
      assert.deepEqual([steady.rowsDeleted, steady.rowsWritten], [0, 1]);
      // A type the table does not have (fare as numeric) goes through the staged path, which casts.
      const cast = await inTransaction(wh.client, () =>
        materialize(wh.client, {
          relation: { schema: "analytics", identifier: direct },
          sql: `select id, region, day, fare::numeric as fare from src.${direct}`,
          materialized: "incremental",
          ...partition(day1),
        }),
      );
      assert.ok(cast.statements.some((s) => s.startsWith("create temporary table")));
      assert.deepEqual([cast.rowsDeleted, cast.rowsWritten], [1, 1]);
      assert.deepEqual(await tripsOf(direct), [
        [1, "eu", "2024-01-01", 10],
        [2, "us", "2024-01-02", 20],
      ]);
    });

    it("running day D never changes day D+1", async () => {
      await setSource(name, [
        [1, "eu", "2024-01-01", 11],
        [2, "eu", "2024-01-01", 20],
        [3, "us", "2024-01-02", 999],
        [4, "us", "2024-01-02", 40],
      ]);
      await run(name, partition(day1));
      assert.deepEqual(await tripsOf(name), [
        [1, "eu", "2024-01-01", 11],
        [2, "eu", "2024-01-01", 20],
        [3, "us", "2024-01-02", 30],
      ]);
    });

    it("a day whose source rows vanished loses them on re-run", async () => {
      await setSource(name, [[1, "eu", "2024-01-01", 11]]);
      const result = await run(name, partition(day1));
      assert.deepEqual(await tripsOf(name), [
        [1, "eu", "2024-01-01", 11],
        [3, "us", "2024-01-02", 30],
      ]);
      assert.deepEqual([result.rowsDeleted, result.rowsWritten], [2, 1]);
    });

    it("needs a time column", async () => {
      await assert.rejects(
        run(name, { window: day1, strategy: "window_overwrite" }),
        (error: unknown) =>
          isAlmanacError(error) && error.code === "ALMANAC_BAD_MODEL_CONFIG" && /event_time/.test(error.message),
      );
    });
  });

  describe("append", () => {
    it("inserts every staged row (only the window's, when there is one) and warns that re-runs duplicate", async () => {
      const name = "appended";
      await setSource(name, [
        [1, "eu", "2024-01-01", 10],
        [2, "eu", "2024-01-02", 20],
      ]);
      await run(name, { strategy: "append", window: day1, timeColumn: "day" });
      const second = await run(name, { strategy: "append", window: day1, timeColumn: "day" });
      assert.deepEqual(await tripsOf(name), [
        [1, "eu", "2024-01-01", 10],
        [1, "eu", "2024-01-01", 10],
      ]);
      assert.deepEqual([second.rowsWritten, second.rowsDeleted], [1, 0]);
      assert.match(second.warnings[0] ?? "", /appends its rows again/);
    });

    it("is the default without a window or key", async () => {
      const name = "appended_all";
      await setSource(name, [[1, "eu", "2024-01-01", 10]]);
      await run(name, {});
      const second = await run(name, {});
      assert.equal(second.rowsWritten, 1);
      assert.equal((await tripsOf(name)).length, 2);
    });
  });

  describe("delete+insert", () => {
    const name = "keyed";
    const keyed = { strategy: "delete+insert" as const, uniqueKey: ["id", "region"] };

    it("replaces rows matching a two-column key and leaves rows that share only part of it", async () => {
      await setSource(name, [
        [1, "eu", "2024-01-01", 10],
        [1, "us", "2024-01-01", 20],
      ]);
      await run(name, keyed);
      await setSource(name, [
        [1, "eu", "2024-01-01", 15],
        [2, "eu", "2024-01-01", 30],
      ]);
      const result = await run(name, keyed);
      assert.deepEqual(await tripsOf(name), [
        [1, "eu", "2024-01-01", 15],
        [1, "us", "2024-01-01", 20],
        [2, "eu", "2024-01-01", 30],
      ]);
      assert.deepEqual([result.rowsDeleted, result.rowsWritten], [1, 2]);
    });

    it("with a window also removes the window's vanished rows, and only the window's", async () => {
      await setSource(name, [
        [1, "eu", "2024-01-01", 15],
        [5, "eu", "2024-01-02", 50],
      ]);
      await run(name, { ...keyed, window: day2, timeColumn: "day" });
      const before = await snapshot(wh.client, `analytics.${name}`);
      await run(name, { ...keyed, window: day2, timeColumn: "day" });
      assert.equal(await snapshot(wh.client, `analytics.${name}`), before, "re-run is identical");
      await setSource(name, [[1, "eu", "2024-01-01", 15]]);
      const result = await run(name, { ...keyed, window: day1, timeColumn: "day" });
      assert.deepEqual(await tripsOf(name), [
        [1, "eu", "2024-01-01", 15],
        [5, "eu", "2024-01-02", 50],
      ]);
      assert.deepEqual([result.rowsDeleted, result.rowsWritten], [3, 1]);
    });

    it("needs a unique key", async () => {
      await assert.rejects(
        run(name, { strategy: "delete+insert" }),
        (error: unknown) =>
          isAlmanacError(error) && error.code === "ALMANAC_BAD_MODEL_CONFIG" && /unique_key/.test(error.message),
      );
    });
  });

  describe("merge", () => {
    const name = "merged";
    const merged = { strategy: "merge" as const, uniqueKey: ["id", "region"], timeColumn: "day" };

    it("updates matched rows, inserts new ones, deletes the window's vanished rows, leaves other days", async () => {
      await setSource(name, [
        [1, "eu", "2024-01-01", 10],
        [2, "eu", "2024-01-01", 20],
        [3, "us", "2024-01-02", 30],
      ]);
      await run(name, { ...merged, window: day1 });
      await run(name, { ...merged, window: day2 });
      await setSource(name, [
        [1, "eu", "2024-01-01", 11],
        [4, "eu", "2024-01-01", 40],
        [3, "us", "2024-01-02", 333],
      ]);
      const result = await run(name, { ...merged, window: day1 });
      assert.deepEqual(await tripsOf(name), [
        [1, "eu", "2024-01-01", 11],
        [4, "eu", "2024-01-01", 40],
        [3, "us", "2024-01-02", 30],
      ]);
      assert.deepEqual([result.rowsDeleted, result.rowsWritten], [1, 2]);
      assert.ok(result.statements.some((s) => s.startsWith(`merge into "analytics"."${name}"`)));

      const before = await snapshot(wh.client, `analytics.${name}`);
      await run(name, { ...merged, window: day1 });
      assert.equal(await snapshot(wh.client, `analytics.${name}`), before, "re-run is identical");
    });

    it("without a window merges everything and deletes nothing", async () => {
      await setSource(name, [[9, "eu", "2024-01-05", 90]]);
      const result = await run(name, { strategy: "merge", uniqueKey: ["id", "region"] });
      assert.deepEqual([result.rowsDeleted, result.rowsWritten], [0, 1]);
      assert.equal((await tripsOf(name)).length, 4);
    });

    it("works when every column is part of the key", async () => {
      await setSource("all_key", [[1, "eu", "2024-01-01", 10]]);
      const sql = "select id, region from src.all_key";
      const req = { strategy: "merge" as const, uniqueKey: ["id", "region"], sql };
      await run("all_key", req);
      await run("all_key", req);
      assert.deepEqual(await rowsOf(wh.client, "select * from analytics.all_key"), [{ id: 1, region: "eu" }]);
    });

    it("needs a unique key", async () => {
      await assert.rejects(
        run(name, { strategy: "merge", window: day1, timeColumn: "day" }),
        (error: unknown) => isAlmanacError(error) && error.code === "ALMANAC_BAD_MODEL_CONFIG",
      );
    });
  });

  it("without a time column, a partitioned run writes everything and warns", async () => {
    const name = "untimed";
    await setSource(name, [
      [1, "eu", "2024-01-01", 10],
      [2, "eu", "2024-01-02", 20],
    ]);
    await run(name, { window: day1 });
    const result = await run(name, { window: day1, uniqueKey: ["id", "region"] });
    assert.equal(result.rowsWritten, 2);
    assert.equal((await tripsOf(name)).length, 2, "the default with a key is delete+insert, so no duplicates");
    assert.match(result.warnings.join("\n"), /cannot remove rows that vanished/);
  });
});
