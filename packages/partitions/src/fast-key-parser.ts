/**
 * Parsing keys without luxon, for the patterns `fastKeyPrinter` prints (`yyyy MM dd HH mm ss
 * SSS ZZ ZZZ` and literal text): planning a backfill over an hourly upstream reads 87,600 keys,
 * and luxon's `fromFormat` spent seconds on them (most of it building token parsers again).
 * Answers exactly what the luxon path answers for these patterns: the wall time as written,
 * and the offset when one is spelt.
 */
import type { ParsedKey, Piece } from "./key-format.js";
import { civilFromDays, DAY_MS, daysFromCivil, HOUR_MS, MINUTE_MS } from "./wall-clock.js";

const TOKEN_SOURCES: Readonly<Record<string, string>> = {
  yyyy: "(\\d{4})",
  MM: "(\\d{2})",
  dd: "(\\d{2})",
  HH: "(\\d{2})",
  mm: "(\\d{2})",
  ss: "(\\d{2})",
  SSS: "(\\d{3})",
  ZZ: "([+-]\\d{2}:\\d{2})",
  ZZZ: "([+-]\\d{4})",
};

/** Whether `fastKeyParser` reads this token. */
export function parsesFast(token: string): boolean {
  return token in TOKEN_SOURCES;
}

/** A parser for a pattern of fast tokens, optionally followed by a `ZZZ` offset suffix. */
export function fastKeyParser(pieces: readonly Piece[], withOffsetSuffix: boolean): (key: string) => ParsedKey {
  const tokens = pieces.flatMap((piece) => ("token" in piece ? [piece.token] : []));
  const all = withOffsetSuffix ? [...tokens, "ZZZ"] : tokens;
  const source = pieces
    .map((piece) =>
      "token" in piece ? TOKEN_SOURCES[piece.token] : piece.literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("");
  const pattern = new RegExp(`^${source}${withOffsetSuffix ? TOKEN_SOURCES.ZZZ : ""}$`);
  const spellsOffset = all.some((token) => token === "ZZ" || token === "ZZZ");
  return (key) => {
    const match = pattern.exec(key);
    if (!match) return { ok: false, reason: "does not match" };
    const fields = { yyyy: 1970, MM: 1, dd: 1, HH: 0, mm: 0, ss: 0, SSS: 0 } as Record<string, number>;
    let offset = 0;
    all.forEach((token, i) => {
      const text = match[i + 1] as string;
      if (token === "ZZ" || token === "ZZZ") offset = offsetOf(text);
      else fields[token] = Number(text);
    });
    const {
      yyyy: year,
      MM: month,
      dd: day,
      HH: hour,
      mm: minute,
      ss: second,
      SSS: ms,
    } = fields as Record<string, number>;
    const days = daysFromCivil(year as number, month as number, day as number);
    const date = civilFromDays(days);
    if (
      date.year !== year ||
      date.month !== month ||
      date.day !== day ||
      (hour as number) > 23 ||
      (minute as number) > 59 ||
      (second as number) > 59
    ) {
      return { ok: false, reason: "no such date or time" };
    }
    const wall =
      days * DAY_MS +
      (hour as number) * HOUR_MS +
      (minute as number) * MINUTE_MS +
      (second as number) * 1000 +
      (ms as number);
    return { ok: true, wall, offset: spellsOffset ? offset : undefined };
  };
}

/** `+05:30` or `-0500` in milliseconds east of UTC. */
function offsetOf(text: string): number {
  const digits = text.replace(":", "");
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return (text.startsWith("-") ? -minutes : minutes) * MINUTE_MS;
}
