import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { type ServerFixture, serverFixture } from "./server-fixture.js";
import { storeSnapshot } from "./store-snapshot.js";

/** Generated bodies per endpoint; a few hundred each keeps the file near 10 s. */
const runsPerEndpoint = 500;

/** Characters no selector, partition key or enum value may hold, so a string with one is bad. */
const badChar = fc.constantFrom("\u0000", "\u0001", "'", '"', ";", "\\", "\n", "$", "é", "😀", "\u202e", "%", "=");

/** A string that is invalid wherever a selector, key or enum is expected. */
const badString = fc.oneof(
  fc
    .tuple(fc.string({ maxLength: 20 }), badChar, fc.string({ unit: "grapheme", maxLength: 20 }))
    .map((p) => p.join("")),
  fc.integer({ min: 1_001, max: 80_000 }).map((n) => "a".repeat(n)),
  fc.constant(""),
);

/** Anything but a string: numbers, booleans, null, arrays, objects. */
const notAString = fc.anything({ maxDepth: 3 }).filter((v) => typeof v !== "string" && v !== undefined);

/**
 * JSON text of arrays or objects nested `depth` deep (`[[[[1]]]]`, `{"a":{"a":1}}`), written as
 * text: JSON.stringify itself overflows the stack on such values.
 */
const deeplyNested = fc
  .tuple(fc.integer({ min: 50, max: 12_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${"[".repeat(depth)}1${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`,
  );

/** A body from `valid` with one field broken: wrong type, bad string, deep nesting, removed, or an extra key. */
function brokenBody(valid: Record<string, unknown>, enums: readonly string[]): fc.Arbitrary<string> {
  const keys = Object.keys(valid);
  const field = fc.constantFrom(...keys, ...enums);
  return fc.oneof(
    fc
      .tuple(field, fc.oneof(notAString, badString))
      // A positive whole number is a valid maxPartitionsPerRun: that body is not a bad one.
      .filter(([key, value]) => !(key === "maxPartitionsPerRun" && Number.isInteger(value) && (value as number) >= 1))
      .map(([key, value]) => JSON.stringify({ ...valid, [key]: value })),
    fc
      .tuple(field, deeplyNested)
      .map(([key, nested]) => JSON.stringify({ ...valid, [key]: "$nested" }).replace('"$nested"', nested)),
    fc.constantFrom(...keys.filter((k) => k === "select" || k === "from" || k === "to")).map((key) => {
      const { [key]: _removed, ...rest } = valid;
      return JSON.stringify(rest);
    }),
    fc
      .tuple(
        fc
          .string({ unit: "grapheme", minLength: 1, maxLength: 30 })
          .filter((k) => !keys.includes(k) && !enums.includes(k)),
        // Not undefined: JSON.stringify would drop the key and leave a valid body.
        fc.anything({ maxDepth: 2 }).filter((v) => v !== undefined),
      )
      .map(([key, value]) => JSON.stringify({ ...valid, [key]: value })),
  );
}

/** Whole bodies that are not an object of the right shape at all. */
const badDocument = fc.oneof(
  fc
    .oneof(
      fc.constantFrom(null, [], {}, "daily_metrics", 0, true, [{ select: "daily_metrics" }]),
      fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 5 }),
      badString,
    )
    .map((value) => JSON.stringify(value)),
  deeplyNested,
);

/** Raw texts sent as JSON: broken syntax, prototype keys, NUL bytes. */
const badText = fc.oneof(
  fc.constantFrom(
    "",
    "{",
    '{"select": "daily_metrics",}',
    '{"__proto__": {"admin": true}, "select": "daily_metrics", "partition": "2024-01-03"}',
    '{"constructor": {"prototype": {"x": 1}}, "select": "daily_metrics", "partition": "2024-01-03"}',
    '{"select": "daily_metrics\u0000", "partition": "2024-01-03"}',
    "\u0000",
    "[".repeat(30_000),
  ),
  fc.string({ unit: "binary", maxLength: 200 }),
);

interface Endpoint {
  readonly url: string;
  readonly valid: Record<string, unknown>;
  readonly optional: readonly string[];
}

const endpoints: readonly Endpoint[] = [
  {
    url: "/api/runs",
    valid: { select: "daily_metrics", partition: "2024-01-03" },
    optional: ["from", "to", "policy", "maxPartitionsPerRun"],
  },
  {
    url: "/api/backfills",
    valid: { select: "daily_metrics", from: "2024-01-01", to: "2024-01-03" },
    optional: ["policy", "maxPartitionsPerRun", "only"],
  },
];

describe("fuzzed bodies for POST /api/runs and POST /api/backfills", () => {
  let f: ServerFixture;

  before(async () => {
    f = await serverFixture({ trips: true, rateLimitPerMinute: 1_000_000 });
  });
  after(() => f.close());

  for (const endpoint of endpoints) {
    test(`${endpoint.url}: every generated bad body is a 4xx with {error: {code, message}} and writes nothing`, async (t) => {
      const before = await storeSnapshot(f);
      const statuses = new Map<number, number>();
      let tried = 0;
      const request = fc.oneof(
        { weight: 3, arbitrary: brokenBody(endpoint.valid, endpoint.optional) },
        { weight: 1, arbitrary: badDocument },
        { weight: 1, arbitrary: badText },
      );
      await fc.assert(
        fc.asyncProperty(request, async (payload) => {
          tried++;
          const res = await f.app.inject({
            method: "POST",
            url: endpoint.url,
            payload,
            headers: { "content-type": "application/json" },
          });
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode}: ${res.body.slice(0, 300)}`);
          const body = res.json();
          assert.deepEqual(Object.keys(body), ["error"]);
          assert.match(body.error.code, /^ALMANAC_[A-Z_]+$/);
          assert.equal(typeof body.error.message, "string");
        }),
        { numRuns: runsPerEndpoint },
      );
      const health = await f.app.inject({ method: "GET", url: "/api/health" });
      assert.equal(health.statusCode, 200, "the server still answers");
      assert.deepEqual(await storeSnapshot(f), before);
      assert.deepEqual(await f.jobIds(), []);
      const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
      t.diagnostic(`${tried} bad bodies tried on POST ${endpoint.url} (${byStatus.join(", ")})`);
    });
  }
});
