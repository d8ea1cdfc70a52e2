import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DateTime } from "luxon";
import { fastKeyParser } from "./fast-key-parser.js";
import { tokenize } from "./key-format.js";
import { MINUTE_MS } from "./wall-clock.js";

/** What luxon reads, as a wall value: the answer the fast parser must give whenever it gives one. */
function luxonWall(pattern: string, key: string): number | undefined {
  const parsed = DateTime.fromFormat(key, pattern, { zone: "UTC", setZone: true, locale: "en-US" });
  return parsed.isValid ? parsed.toMillis() + parsed.offset * MINUTE_MS : undefined;
}

// Each row: a pattern, a key, and whether the fast path reads it (else it leaves it to luxon).
const cases: { pattern: string; key: string; fast: boolean }[] = [
  { pattern: "yyyy-MM-dd", key: "2024-01-01", fast: true },
  { pattern: "yyyy-MM-dd", key: "2024-02-29", fast: true },
  { pattern: "yyyy-MM-dd", key: "2023-02-29", fast: false }, // no such day
  { pattern: "yyyy-MM-dd", key: "2024-13-01", fast: false },
  { pattern: "yyyy-MM-dd", key: "2024-1-01", fast: false }, // not canonical: luxon's lenient path words it
  { pattern: "yyyy-MM-dd", key: "2024-01-01 ", fast: false },
  { pattern: "yyyy-MM-dd", key: "0099-01-01", fast: false }, // two-digit years are luxon's
  { pattern: "yyyy-MM-dd", key: "1600-03-01", fast: true },
  { pattern: "yyyyMMdd", key: "20241231", fast: true },
  { pattern: "yyyy-MM", key: "2024-03", fast: true },
  { pattern: "yyyy-MM-dd-HH:mm", key: "2024-03-10-02:00", fast: true },
  { pattern: "yyyy-MM-dd-HH:mm", key: "2024-03-10-24:00", fast: false },
  { pattern: "yyyy-MM-dd'T'HH:mm:ss.SSS", key: "2024-03-10T23:59:59.999", fast: true },
  { pattern: "yyyy.MM.dd", key: "2024x03x10", fast: false }, // a literal dot is not any character
  { pattern: "dd/MM/yyyy", key: "31/12/2024", fast: true },
];

describe("fastKeyParser: the same wall value as luxon, or none", () => {
  for (const c of cases) {
    it(`${c.pattern} ${JSON.stringify(c.key)}`, () => {
      const parse = fastKeyParser(tokenize(c.pattern));
      assert.ok(parse, "the pattern is one the fast path reads");
      const wall = parse(c.key);
      if (c.fast) assert.equal(wall, luxonWall(c.pattern, c.key));
      else assert.equal(wall, undefined);
    });
  }

  it("leaves patterns with other tokens to luxon", () => {
    for (const pattern of ["yyyy-MM-dd ZZ", "kkkk-'W'WW", "yyyy-LLL-dd", "yyyy-MM-dd-yyyy"]) {
      assert.equal(fastKeyParser(tokenize(pattern)), undefined, pattern);
    }
  });
});
