/**
 * Partition key formats: luxon format strings, compiled once.
 *
 * Keys are printed from wall values (see `wall-clock.ts`). Patterns made of the common tokens
 * are printed by `fast-key-printer.ts` because luxon's `toFormat` costs microseconds per key;
 * any other token falls back to luxon, which is correct, only slower. Parsing likewise: keys
 * of such patterns are read by `fast-key-parser.ts`, anything it cannot read exactly by luxon's
 * `fromFormat`, which also says what is wrong with a key.
 */
import { DateTime, FixedOffsetZone } from "luxon";
import { fastKeyParser } from "./fast-key-parser.js";
import { fastKeyPrinter, printsFast } from "./fast-key-printer.js";
import { MINUTE_MS } from "./wall-clock.js";

/** What a key says once parsed: its wall time, and the offset it spells out, if any. */
export type ParsedKey =
  | { readonly ok: true; readonly wall: number; readonly offset: number | undefined }
  | { readonly ok: false; readonly reason: string };

/** A compiled key format. Get one with `keyFormat(pattern)`. */
export interface KeyFormat {
  /** The luxon pattern, e.g. `yyyy-MM-dd`. */
  readonly pattern: string;
  /** True when the pattern prints a UTC offset (`Z`, `ZZ`, `ZZZ`), which makes every key unambiguous. */
  readonly printsOffset: boolean;
  /** The key of a wall value; `offset` (ms) is only printed when the pattern asks for it. */
  format(wall: number, offset: number): string;
  /** Parses a key with this pattern, or with `pattern` + `ZZZ` when `withOffsetSuffix`. */
  parse(key: string, withOffsetSuffix?: boolean): ParsedKey;
  /**
   * Parses a key that drops leading zeros (`2024-3-5` for `yyyy-MM-dd`), so an error can say
   * which canonical key was meant. `undefined` when even that fails.
   */
  parseLenient(key: string): ParsedKey | undefined;
}

/** One piece of a luxon pattern: literal text or a token such as `yyyy`. */
export type Piece = { literal: string } | { token: string };

const LENIENT_TOKENS: Record<string, string> = { MM: "M", dd: "d", HH: "H", mm: "m", ss: "s" };

/** Splits a luxon pattern the way luxon does: quoted text is literal, runs of one letter are a token. */
export function tokenize(pattern: string): Piece[] {
  const pieces: Piece[] = [];
  let quoted = false;
  let literal = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (char === "'") {
      quoted = !quoted;
      continue;
    }
    if (quoted || !/[A-Za-z]/.test(char)) {
      literal += char;
      continue;
    }
    let end = i;
    while (pattern.charAt(end + 1) === char) end++;
    if (literal) pieces.push({ literal });
    literal = "";
    pieces.push({ token: pattern.slice(i, end + 1) });
    i = end;
  }
  if (literal) pieces.push({ literal });
  return pieces;
}

function compile(pattern: string): KeyFormat {
  const pieces = tokenize(pattern);
  const tokens = pieces.flatMap((piece) => ("token" in piece ? [piece.token] : []));
  const printsOffset = tokens.some((token) => /^Z+$/.test(token));
  const fast = tokens.every(printsFast);

  const format = fast
    ? fastKeyPrinter(pieces)
    : (wall: number, offset: number): string =>
        DateTime.fromMillis(wall - offset, {
          zone: FixedOffsetZone.instance(offset / MINUTE_MS),
          locale: "en-US",
        }).toFormat(pattern);

  // Only for patterns without an offset: their keys carry none, so the wall value is all there is.
  const fastParse = printsOffset ? undefined : fastKeyParser(pieces);

  const parse = (key: string, withOffsetSuffix = false): ParsedKey => {
    const wall = withOffsetSuffix ? undefined : fastParse?.(key);
    if (wall !== undefined) return { ok: true, wall, offset: undefined };
    // Parsing in UTC with setZone keeps the wall fields exactly as written, whatever the
    // definition's zone; resolving them to an instant is the zone clock's job.
    const parsed = DateTime.fromFormat(key, withOffsetSuffix ? `${pattern}ZZZ` : pattern, {
      zone: "UTC",
      setZone: true,
      locale: "en-US",
    });
    if (!parsed.isValid) {
      const reason = parsed.invalidReason === "unit out of range" ? "no such date or time" : "does not match";
      return { ok: false, reason };
    }
    const offset = parsed.offset * MINUTE_MS;
    return {
      ok: true,
      wall: parsed.toMillis() + offset,
      offset: printsOffset || withOffsetSuffix ? offset : undefined,
    };
  };

  // Single-letter luxon tokens accept one or two digits; literals are re-quoted verbatim.
  const lenientPattern = pattern.includes("''")
    ? undefined
    : pieces
        .map((piece) =>
          "token" in piece ? (LENIENT_TOKENS[piece.token] ?? piece.token) : `'${piece.literal.replaceAll("'", "")}'`,
        )
        .join("");
  const parseLenient = (key: string): ParsedKey | undefined => {
    if (lenientPattern === undefined) return undefined;
    const parsed = DateTime.fromFormat(key, lenientPattern, { zone: "UTC", setZone: true, locale: "en-US" });
    if (!parsed.isValid) return undefined;
    const offset = parsed.offset * MINUTE_MS;
    return { ok: true, wall: parsed.toMillis() + offset, offset: printsOffset ? offset : undefined };
  };

  return { pattern, printsOffset, format, parse, parseLenient };
}

const formats = new Map<string, KeyFormat>();

/** The compiled form of a luxon key pattern (cached: definitions share patterns). */
export function keyFormat(pattern: string): KeyFormat {
  let compiled = formats.get(pattern);
  if (compiled === undefined) {
    compiled = compile(pattern);
    formats.set(pattern, compiled);
  }
  return compiled;
}
