import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type BrowserFixture, browserFixture } from "./browser-fixture.js";

describe("web pages in Chromium: materialize and backfill", () => {
  let f: BrowserFixture;
  before(async () => {
    f = await browserFixture();
  });
  after(async () => {
    await f?.close();
  });

  it("materializes a partition from the asset page, follows the run to succeeded, and the grid cell says materialized", async () => {
    const page = await f.newPage();
    await page.goto("/");
    await page.getByRole("link", { name: "daily_metrics" }).first().click();
    await page.waitForURL(/\/assets\/daily_metrics$/);
    const cell = page.getByRole("gridcell", { name: "2024-01-04 missing" });
    await cell.waitFor();

    await page.locator("#materialize-form input[name=partition]").fill("2024-01-04");
    // stg_trips, the view it reads, has never been built on this database.
    await page.locator("#materialize-form input[name=upstream]").check();
    await page.locator("#materialize-form button[type=submit]").click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    // The page refreshes itself while the run is live; no reload here.
    await page.locator("#run-status .pill", { hasText: "succeeded" }).waitFor({ timeout: 30_000 });
    assert.match((await page.locator("#steps-h + table").textContent()) ?? "", /daily_metrics[\s\S]*succeeded/i);
    assert.match((await page.locator(".log").textContent()) ?? "", /\S/, "the run's log events are listed");

    await page.getByRole("link", { name: "daily_metrics" }).first().click();
    await page.waitForURL(/\/assets\/daily_metrics/);
    await page.getByRole("gridcell", { name: "2024-01-04 materialized" }).waitFor();
    const [row] = await f.query<{ status: string }>(
      "select status from almanac.asset_partitions where asset_key = 'daily_metrics' and partition_key = '2024-01-04'",
    );
    assert.equal(row?.status, "materialized");
    await page.context().close();
  });

  it("launches a backfill, shows its progress, and cancels it", async () => {
    // Hold the worker back: a backfill of the whole range, one run per day, cannot finish
    // before the cancel while its first runs wait on a lock the test holds on their source.
    const blocker = await f.pool.connect();
    let locked = true;
    try {
      await blocker.query("begin");
      await blocker.query("lock table raw.trips in access exclusive mode");
      const page = await f.newPage();
      await page.goto("/assets/daily_metrics");
      const form = page.locator("#backfill-form");
      await form.locator("input[name=from]").fill("2024-01-01");
      await form.locator("input[name=to]").fill("2024-01-09");
      await form.locator("select[name=policy]").selectOption("multi_run");
      await form.locator("button[type=submit]").click();
      await page.waitForURL(/\/backfills\/[0-9a-f-]{36}$/);
      const bar = page.getByRole("progressbar", { name: "Backfill progress" });
      await bar.waitFor();
      assert.match((await page.locator(".progress-head").textContent()) ?? "", /of \d+ asset partitions done/);
      await page.getByRole("button", { name: "Cancel backfill" }).click();
      await page.waitForURL(/\/backfills\/[0-9a-f-]{36}$/);
      await blocker.query("rollback");
      locked = false;
      await page.locator("#backfill-status .pill", { hasText: "canceled" }).waitFor({ timeout: 30_000 });
      await page.context().close();
    } finally {
      if (locked) await blocker.query("rollback");
      blocker.release();
    }
    const [backfill] = await f.query<{ status: string }>("select status from almanac.backfills");
    assert.equal(backfill?.status, "canceled");
  });

  it("keeps grid cells keyboard-reachable with their key and status as text", async () => {
    const page = await f.newPage();
    await page.goto("/assets/daily_metrics");
    const first = page.locator("[data-grid] a[tabindex='0']");
    assert.equal(await first.count(), 1, "the grid is one tab stop");
    await first.focus();
    await page.keyboard.press("ArrowRight");
    const focused = (await page.locator(":focus").textContent()) ?? "";
    assert.match(focused, /^2024-01-02 (missing|materialized|stale|failed|queued|running|)$/);
    await page.keyboard.press("Enter");
    await page.waitForURL(/partition=2024-01-02/);
    assert.match((await page.locator("#partition-h").textContent()) ?? "", /Partition 2024-01-02/);
    assert.match((await page.locator("#sql-h ~ .cols").textContent()) ?? "", /2024-01-02/);
    await page.context().close();
  });
});
