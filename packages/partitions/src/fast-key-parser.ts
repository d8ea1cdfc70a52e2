/**
 * Parsing keys without luxon, for patterns made of `yyyy MM dd HH mm ss SSS` and literal text:
 * the counterpart of `fast-key-printer.ts`. Planning a backfill validates every key of its range
 * (and of its upstreams' ranges), so a 3,650-day backfill parsed tens of thousands of keys, and
 * luxon's `fromFormat` (a regex built per call) was nine tenths of the request's CPU time.
 *
 * It answers only for a key it can read exactly: fixed-width digits where the pattern has its
 * tokens, the literal text in between, a date and time that exist. Anything else (offsets,
 * other tokens, a malformed key) returns `undefined` and goes to luxon, which also words the
 * error; so an answer here is always the one luxon would give.
 */
import type { Piece } from "./key-format.js";
import { civilFromDays, DAY_MS, daysFromCivil, HOUR_MS, MINUTE_MS } from "./wall-clock.js";

const FIELD_WIDTHS: Readonly<Record<string, number>> = { yyyy: 4, MM: 2, dd: 2, HH: 2, mm: 2, ss: 2, SSS: 3 };

/** A parser for `pieces`, or `undefined` when the pattern has a token it does not read. */
export function fastKeyParser(pieces: readonly Piece[]): ((key: string) => number | undefined) | undefined {
  const tokens = pieces.flatMap((piece) => ("token" in piece ? [piece.token] : []));
  if (!tokens.every((token) => token in FIELD_WIDTHS) || new Set(tokens).size !== tokens.length) return undefined;
  const source = pieces
    .map((piece) =>
      "token" in piece ? `(\\d{${FIELD_WIDTHS[piece.token]}})` : piece.literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("");
  const matcher = new RegExp(`^${source}$`);
  const position = (token: string) => tokens.indexOf(token) + 1;
  const at = { year: position("yyyy"), month: position("MM"), day: position("dd") };
  const time = { hour: position("HH"), minute: position("mm"), second: position("ss"), ms: position("SSS") };

  return (key) => {
    const match = matcher.exec(key);
    if (match === null) return undefined;
    // Unnamed units start at their beginning, as luxon fills them.
    const field = (index: number, unset: number) => (index === 0 ? unset : Number(match[index]));
    const year = field(at.year, 1970);
    const month = field(at.month, 1);
    const day = field(at.day, 1);
    const hour = field(time.hour, 0);
    const minute = field(time.minute, 0);
    const second = field(time.second, 0);
    const millisecond = field(time.ms, 0);
    // Two-digit years and impossible dates (02-30) or times are luxon's to explain.
    if (year < 100 || hour > 23 || minute > 59 || second > 59) return undefined;
    const days = daysFromCivil(year, month, day);
    const civil = civilFromDays(days);
    if (civil.year !== year || civil.month !== month || civil.day !== day) return undefined;
    return days * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + second * 1000 + millisecond;
  };
}
