import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DateTime } from "luxon";
import { fastKeyParser } from "./fast-key-parser.js";
import { tokenize } from "./key-format.js";
import { MINUTE_MS } from "./wall-clock.js";

/** What the luxon path answers (key-format.ts before the fast parser), the reference. */
function luxonParse(pattern: string, key: string, withOffsetSuffix: boolean) {
  const parsed = DateTime.fromFormat(key, withOffsetSuffix ? `${pattern}ZZZ` : pattern, {
    zone: "UTC",
    setZone: true,
    locale: "en-US",
  });
  if (!parsed.isValid) return { ok: false };
  const offset = parsed.offset * MINUTE_MS;
  return { ok: true, wall: parsed.toMillis() + offset, offset };
}

const patterns = ["yyyy-MM-dd", "yyyy-MM-dd-HH:mm", "yyyyMMdd", "yyyy-MM-dd'T'HH:mm:ss.SSSZZ", "'day 'yyyy/MM/dd"];

describe("fastKeyParser agrees with luxon's fromFormat", () => {
  for (const pattern of patterns) {
    for (const suffixed of [false, true]) {
      it(`${pattern}${suffixed ? " with an offset suffix" : ""}`, () => {
        const parse = fastKeyParser(tokenize(pattern), suffixed);
        // Keys printed from any instant and offset, then some digits changed (out-of-range months, days, hours).
        const key = fc
          .tuple(
            fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) }),
            fc.integer({ min: -12 * 60, max: 14 * 60 }),
            fc.array(fc.tuple(fc.nat(40), fc.integer({ min: 0, max: 9 })), { maxLength: 2 }),
          )
          .map(([instant, offsetMinutes, edits]) => {
            const zone = `UTC${offsetMinutes >= 0 ? "+" : "-"}${Math.floor(Math.abs(offsetMinutes) / 60)}:${String(Math.abs(offsetMinutes) % 60).padStart(2, "0")}`;
            let text = DateTime.fromMillis(instant, { zone }).toFormat(suffixed ? `${pattern}ZZZ` : pattern);
            for (const [at, digit] of edits) {
              const i = at % text.length;
              if (/\d/.test(text[i] ?? "")) text = `${text.slice(0, i)}${digit}${text.slice(i + 1)}`;
            }
            return text;
          });
        fc.assert(
          fc.property(key, (text) => {
            const fast = parse(text);
            const reference = luxonParse(pattern, text, suffixed);
            assert.equal(fast.ok, reference.ok, text);
            if (fast.ok && reference.ok) {
              assert.equal(fast.wall, reference.wall, text);
              if (fast.offset !== undefined) assert.equal(fast.offset, reference.offset, text);
            }
          }),
          { numRuns: 2000 },
        );
      });
    }
  }
  it("refuses what does not match the pattern", () => {
    const parse = fastKeyParser(tokenize("yyyy-MM-dd"), false);
    assert.deepEqual(parse("2024-3-5"), { ok: false, reason: "does not match" });
    assert.deepEqual(parse("2023-02-29"), { ok: false, reason: "no such date or time" });
  });
});
