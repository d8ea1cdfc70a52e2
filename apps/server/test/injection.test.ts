import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type ServerFixture, serverFixture } from "./server-fixture.js";
import { storeSnapshot } from "./store-snapshot.js";

/** Strings that try SQL, path, encoding and size tricks; none is a valid value anywhere. */
export const injectionStrings: readonly string[] = [
  "'; drop table almanac.runs; --",
  "daily_metrics'; drop table raw.trips; --",
  '" or 1=1 --',
  "' or '1'='1",
  "$1",
  "1; select pg_sleep(5)",
  "../../etc/passwd",
  "..%2F..%2Fetc%2Fpasswd",
  "%00",
  "%zz",
  "a\u0000b",
  "\u0000",
  "2024-01-03\u0000",
  "2024-01-03:00",
  "key:with:colons",
  "daily_metrics:",
  "dаily_metrics", // Cyrillic а
  "2024-01-0３", // full-width digit
  "😀",
  "\u202edaily_metrics",
  "{{ env_var('DATABASE_URL') }}",
  "$(id)",
  "x".repeat(10_240),
  "-1",
  "null",
];

const validId = "00000000-0000-4000-8000-000000000000";
const enc = encodeURIComponent;

interface Probe {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly payload?: object;
  /**
   * A list filter (`GET /api/runs?partition=`): a value of the right form that matches nothing
   * (`key:with:colons` is a well-formed partition key) rightly answers 200 with this list empty.
   */
  readonly emptyList?: string;
}

/** Every endpoint, with `value` in one of its params, query strings or body fields at a time. */
function probes(value: string): Probe[] {
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const runBodies = [
    { select: value, partition: "2024-01-03" },
    { select: "daily_metrics", partition: value },
    { select: "daily_metrics", from: value, to: "2024-01-03" },
    { select: "daily_metrics", from: "2024-01-01", to: value },
    { select: "daily_metrics", partition: "2024-01-03", policy: value },
    { select: "daily_metrics", partition: "2024-01-03", [value]: 1 },
  ];
  const backfillBodies = [
    { select: value, from: "2024-01-01", to: "2024-01-03" },
    { select: "daily_metrics", from: value, to: "2024-01-03" },
    { select: "daily_metrics", from: "2024-01-01", to: value },
    { select: "daily_metrics", from: "2024-01-01", to: "2024-01-03", only: value },
    { select: "daily_metrics", from: "2024-01-01", to: "2024-01-03", policy: value },
  ];
  const list: Probe[] = [
    ...runBodies.map((payload) => ({ method: "POST" as const, url: "/api/runs", payload })),
    ...backfillBodies.map((payload) => ({ method: "POST" as const, url: "/api/backfills", payload })),
    { method: "POST", url: "/api/schedules/nightly/tick", payload: { at: value } },
    { method: "GET", url: `/api/assets/daily_metrics/partitions?${q({ from: value })}` },
    { method: "GET", url: `/api/assets/daily_metrics/partitions?${q({ to: value })}` },
    { method: "GET", url: `/api/assets/daily_metrics/partitions?${q({ status: value })}` },
    ...["status", "asset", "partition", "backfill", "limit", "cursor"].map((name) => ({
      method: "GET" as const,
      url: `/api/runs?${q({ [name]: value })}`,
      emptyList: "runs",
    })),
    { method: "GET", url: `/api/runs/${validId}/events?${q({ after: value })}` },
    { method: "GET", url: `/api/backfills?${q({ limit: value })}` },
    { method: "GET", url: `/api/schedules?${q({ ticks: value })}` },
  ];
  // Path parameters: encoded, and (when the URL allows it) as typed.
  for (const segment of new Set([enc(value), /^[\x21-\x7e]*$/.test(value) ? value : enc(value)])) {
    list.push(
      { method: "GET", url: `/api/assets/${segment}` },
      { method: "GET", url: `/api/assets/${segment}/partitions` },
      { method: "GET", url: `/api/runs/${segment}` },
      { method: "GET", url: `/api/runs/${segment}/events` },
      { method: "POST", url: `/api/runs/${segment}/cancel` },
      { method: "GET", url: `/api/backfills/${segment}` },
      { method: "POST", url: `/api/backfills/${segment}/cancel` },
      { method: "POST", url: `/api/backfills/${segment}/retry` },
      { method: "POST", url: `/api/schedules/${segment}/tick` },
      { method: "POST", url: `/api/schedules/${segment}/enable` },
      { method: "POST", url: `/api/schedules/${segment}/disable` },
    );
  }
  return list;
}

describe("injection strings through every endpoint", () => {
  let f: ServerFixture;

  before(async () => {
    f = await serverFixture({ trips: true, rateLimitPerMinute: 1_000_000 });
  });
  after(() => f.close());

  test("every request is a 4xx with a code; nothing is written, enqueued or dropped", async (t) => {
    const before = await storeSnapshot(f);
    assert.ok(before['"raw"."trips"'], "raw.trips exists before");
    assert.ok(before['"almanac"."runs"'] !== undefined && before['"almanac"."schedule_ticks"'] !== undefined);
    let tried = 0;
    let matchedNothing = 0;
    for (const value of injectionStrings) {
      for (const probe of probes(value)) {
        const res = await f.app.inject({ method: probe.method, url: probe.url, payload: probe.payload });
        tried++;
        const where = `${probe.method} ${probe.url.slice(0, 120)} ${JSON.stringify(probe.payload)?.slice(0, 120)}`;
        const body = res.json();
        if (res.statusCode === 200 && probe.emptyList) {
          assert.deepEqual(body[probe.emptyList], [], where);
          matchedNothing++;
          continue;
        }
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode} for ${where}: ${res.body}`);
        assert.match(body.error?.code ?? "", /^ALMANAC_[A-Z_]+$/, where);
        assert.equal(typeof body.error.message, "string", where);
      }
    }
    t.diagnostic(
      `${tried} requests with ${injectionStrings.length} injection strings; ${matchedNothing} well-formed filters matched nothing`,
    );
    assert.deepEqual(await storeSnapshot(f), before);
    assert.deepEqual(await f.jobIds(), []);
    const health = await f.app.inject({ method: "GET", url: "/api/health" });
    assert.equal(health.statusCode, 200);
  });
});
