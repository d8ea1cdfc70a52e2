import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ServerFixture, serverFixture } from "../server-fixture.js";

const form = { "content-type": "application/x-www-form-urlencoded" };

/** The message a re-rendered form shows. */
function alertText(body: string): string {
  return /role="alert"[^>]*>([^<]*)</.exec(body)?.[1] ?? "";
}

describe("web forms: user mistakes re-render the form with a 4xx and change nothing", () => {
  let f: ServerFixture;
  before(async () => {
    f = await serverFixture();
  });
  after(async () => {
    await f?.close();
  });

  const cases: { name: string; url: string; body: string; status: number; message: RegExp }[] = [
    {
      name: "malformed partition key",
      url: "/assets/daily_metrics/materialize",
      body: "partition=2024-02-30",
      status: 400,
      message: /not a valid key/,
    },
    {
      name: "partition after the last one",
      url: "/assets/daily_metrics/materialize",
      body: "partition=2030-01-01",
      status: 400,
      message: /2030-01-01/,
    },
    {
      name: "partition missing for a partitioned asset",
      url: "/assets/daily_metrics/materialize",
      body: "",
      status: 400,
      message: /partition/i,
    },
    {
      name: "backfill from after to",
      url: "/assets/daily_metrics/backfill",
      body: "from=2024-01-05&to=2024-01-02",
      status: 400,
      message: /after/,
    },
    {
      name: "backfill without a range",
      url: "/assets/daily_metrics/backfill",
      body: "from=2024-01-05",
      status: 400,
      message: /both the first and the last/,
    },
    {
      name: "unknown policy",
      url: "/assets/daily_metrics/backfill",
      body: "from=2024-01-01&to=2024-01-02&policy=fastest",
      status: 400,
      message: /policy must be one of/,
    },
    {
      name: "partitions per run not a number",
      url: "/assets/daily_metrics/backfill",
      body: "from=2024-01-01&to=2024-01-02&maxPartitionsPerRun=lots",
      status: 400,
      message: /whole number/,
    },
    {
      name: "repeated field",
      url: "/assets/daily_metrics/materialize",
      body: "partition=2024-01-01&partition=2024-01-02",
      status: 400,
      message: /given once/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const response = await f.app.inject({ method: "POST", url: c.url, headers: form, payload: c.body });
      assert.equal(response.statusCode, c.status, response.body.slice(0, 300));
      assert.match(String(response.headers["content-type"]), /text\/html/);
      assert.match(alertText(response.body), c.message);
      // The form is shown again, with what was typed; its links and filters lead back to the
      // asset page, not to the POST URL it is shown under.
      assert.match(response.body, /id="backfill-form"/);
      assert.doesNotMatch(response.body, /href="\?|<form method="get">/);
      assert.match(response.body, /href="\/assets\/daily_metrics\?partition=2024-01-01#partition"/);
      assert.equal(await f.countRuns(), 0);
    });
  }

  it("unknown asset, run and backfill are 404 pages, an unknown schedule 400", async () => {
    for (const url of [
      "/assets/nope",
      "/runs/00000000-0000-4000-8000-000000000000",
      "/runs/not-a-uuid",
      "/backfills/00000000-0000-4000-8000-000000000000",
    ]) {
      const response = await f.app.inject({ url });
      assert.equal(response.statusCode, 404, url);
      assert.match(response.body, /role="alert"/, url);
    }
    // An unknown schedule is a bad request, as in the REST API (ALMANAC_UNKNOWN_SCHEDULE).
    const tick = await f.app.inject({ method: "POST", url: "/schedules/nope/tick", headers: form, payload: "" });
    assert.equal(tick.statusCode, 400);
    assert.match(alertText(tick.body), /nope/);
  });

  it("a bad range filter keeps the page and says what is wrong", async () => {
    const response = await f.app.inject({ url: "/assets/daily_metrics?from=2024-13-01" });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /role="alert">[^<]*2024-13-01/);
    assert.match(response.body, /data-grid/);
  });

  it("refuses a form posted from another site", async () => {
    const response = await f.app.inject({
      method: "POST",
      url: "/assets/daily_metrics/materialize",
      headers: { ...form, origin: "https://evil.example", host: "127.0.0.1:3000" },
      payload: "partition=2024-01-02",
    });
    assert.equal(response.statusCode, 403);
    assert.equal(await f.countRuns(), 0);
  });

  it("a valid form records the run and redirects to its page (PRG)", async () => {
    const response = await f.app.inject({
      method: "POST",
      url: "/assets/daily_metrics/materialize",
      headers: form,
      payload: "partition=2024-01-02",
    });
    assert.equal(response.statusCode, 303);
    assert.match(response.headers.location ?? "", /^\/runs\/[0-9a-f-]{36}$/);
    assert.equal(await f.countRuns(), 1);
    const page = await f.app.inject({ url: response.headers.location ?? "" });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /data-refresh/, "a queued run's page refreshes itself");
  });

  it("the grid carries one cell per partition with its key and status as text", async () => {
    const response = await f.app.inject({ url: "/assets/daily_metrics" });
    const cells = [...response.body.matchAll(/<span class="vh">(\d{4}-\d{2}-\d{2}) (\w+)<\/span>/g)];
    assert.deepEqual(
      cells.map((m) => m[1]),
      [
        "2024-01-01",
        "2024-01-02",
        "2024-01-03",
        "2024-01-04",
        "2024-01-05",
        "2024-01-06",
        "2024-01-07",
        "2024-01-08",
        "2024-01-09",
      ],
    );
    // 2024-01-02 was queued by the previous test.
    assert.equal(cells[1]?.[2], "queued");
    assert.equal(cells[0]?.[2], "missing");
  });
});
