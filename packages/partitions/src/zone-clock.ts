/**
 * UTC offsets of an IANA zone, fast enough to enumerate 87,600 hourly windows in a few ms.
 *
 * Asking `Intl` (or luxon, which wraps it) for an offset costs about a microsecond; doing it per
 * key dominated range enumeration. Offsets change a few times a year, so the clock asks `Intl`
 * once per UTC day boundary and only searches inside a day whose two boundaries disagree. This
 * assumes no zone changes its offset twice within 24 hours, which holds for every zone in tzdb
 * since offsets were standardised (the 19th-century LMT switches are single changes too).
 */
import { DAY_MS, MINUTE_MS } from "./wall-clock.js";

const OFFSET_PATTERN = /GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/;

/** Offsets and wall-time resolution for one zone. Get one with `zoneClock(name)`. */
export class ZoneClock {
  readonly zone: string;
  /** Set for zones whose offset never changes (UTC); skips Intl entirely. */
  private readonly fixedOffset: number | undefined;
  private readonly offsetFormat: Intl.DateTimeFormat | undefined;
  /** Offset (ms) at the start of UTC day `k`, keyed by `k`. */
  private readonly dayStartOffsets = new Map<number, number>();
  /** Instant of the offset change inside UTC day `k`, for the days that have one. */
  private readonly transitions = new Map<number, number>();

  constructor(zone: string) {
    this.zone = zone;
    const upper = zone.toUpperCase();
    if (upper === "UTC" || upper === "ETC/UTC" || upper === "GMT" || upper === "ETC/GMT") {
      this.fixedOffset = 0;
      return;
    }
    // Throws RangeError for names Intl does not know; definePartitions turns that into a clear error.
    this.offsetFormat = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
  }

  /** Offset from UTC in milliseconds at `instant` (epoch ms): wall = instant + offset. */
  offsetAt(instant: number): number {
    if (this.fixedOffset !== undefined) return this.fixedOffset;
    const day = Math.floor(instant / DAY_MS);
    const before = this.dayStartOffset(day);
    const after = this.dayStartOffset(day + 1);
    if (before === after) return before;
    return instant < this.transitionIn(day, before) ? before : after;
  }

  /** The wall value (see `wall-clock.ts`) shown by clocks in this zone at `instant`. */
  wallAt(instant: number): number {
    return instant + this.offsetAt(instant);
  }

  /**
   * Every instant whose wall time is `wall`, earliest first: one normally, two in a
   * fall-back hour (the wall time repeats), none in a spring-forward gap.
   */
  instantsOfWall(wall: number): number[] {
    // Real instants lie within ±14 h of the wall value; the offsets a day either side bracket
    // any single change, so the candidates below include every answer.
    const a = wall - this.offsetAt(wall - DAY_MS);
    const b = wall - this.offsetAt(wall + DAY_MS);
    const found: number[] = [];
    for (const candidate of a <= b ? [a, b] : [b, a]) {
      if (this.wallAt(candidate) === wall && !found.includes(candidate)) found.push(candidate);
    }
    return found;
  }

  /**
   * The first instant at or after the wall time `wall`: the instant itself, the earlier of two
   * in a fall-back hour, or the moment the clocks jump when `wall` falls in a gap (so a day
   * whose midnight is skipped starts when the clocks jump, e.g. 01:00).
   */
  firstInstantAtOrAfterWall(wall: number): number {
    const instants = this.instantsOfWall(wall);
    if (instants[0] !== undefined) return instants[0];
    const afterOffset = this.offsetAt(wall + DAY_MS);
    const beforeOffset = this.offsetAt(wall - DAY_MS);
    return this.changeBetween(wall - afterOffset, wall - beforeOffset);
  }

  /** Whether the wall time at `instant` was already shown earlier (the second pass of a fall-back hour). */
  isRepeatedWall(instant: number): boolean {
    const instants = this.instantsOfWall(this.wallAt(instant));
    return instants.length === 2 && instants[1] === instant;
  }

  /**
   * The offset in force from a day before to a day after UTC day `day` (a day number), or
   * `undefined` when it changes in that span. Inside such a day no wall time is skipped or
   * repeated, so keys can be printed without the checks a DST day needs.
   */
  steadyOffsetOn(day: number): number | undefined {
    if (this.fixedOffset !== undefined) return this.fixedOffset;
    const offset = this.dayStartOffset(day);
    return this.dayStartOffset(day - 1) === offset &&
      this.dayStartOffset(day + 1) === offset &&
      this.dayStartOffset(day + 2) === offset
      ? offset
      : undefined;
  }

  private dayStartOffset(day: number): number {
    let offset = this.dayStartOffsets.get(day);
    if (offset === undefined) {
      offset = this.intlOffset(day * DAY_MS);
      this.dayStartOffsets.set(day, offset);
    }
    return offset;
  }

  /** Binary search (to the second; tzdb changes happen on whole seconds) for the change inside UTC day `day`. */
  private transitionIn(day: number, before: number): number {
    const cached = this.transitions.get(day);
    if (cached !== undefined) return cached;
    let low = day * DAY_MS;
    let high = low + DAY_MS;
    while (high - low > 1000) {
      const middle = low + Math.floor((high - low) / 2000) * 1000;
      if (this.intlOffset(middle) === before) low = middle;
      else high = middle;
    }
    this.transitions.set(day, high);
    return high;
  }

  /** First instant in `(low, high]` with the offset of `high` (the offset at `low` differs). */
  private changeBetween(low: number, high: number): number {
    const lowOffset = this.offsetAt(low);
    let a = low;
    let b = high;
    while (b - a > 1) {
      const middle = a + Math.floor((b - a) / 2);
      if (this.offsetAt(middle) === lowOffset) a = middle;
      else b = middle;
    }
    return b;
  }

  private intlOffset(instant: number): number {
    const text = (this.offsetFormat as Intl.DateTimeFormat).format(instant);
    const match = OFFSET_PATTERN.exec(text);
    if (!match) throw new Error(`cannot read the UTC offset of ${this.zone} from Intl output "${text}"`);
    const [, sign, hours, minutes, seconds] = match;
    if (sign === undefined) return 0;
    const magnitude = Number(hours) * 60 * MINUTE_MS + Number(minutes ?? 0) * MINUTE_MS + Number(seconds ?? 0) * 1000;
    return sign === "-" ? -magnitude : magnitude;
  }
}

const clocks = new Map<string, ZoneClock>();

/** The shared clock of a zone; throws RangeError for a zone name Intl does not know. */
export function zoneClock(zone: string): ZoneClock {
  let clock = clocks.get(zone);
  if (clock === undefined) {
    clock = new ZoneClock(zone);
    clocks.set(zone, clock);
  }
  return clock;
}
