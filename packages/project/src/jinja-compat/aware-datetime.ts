import { PyDateTime, PyTimedelta, type PyTzInfo } from "./datetime-values.js";

/**
 * An aware Python `datetime`: a wall clock plus the tzinfo it carries. The tzinfo is a fixed
 * offset, as Python's `datetime.timezone` and every tzinfo pytz attaches are, so arithmetic
 * keeps the offset and moves the wall clock (`aware + timedelta(days=180)` stays at -07:00
 * across a DST change, as in Python; `tz.normalize()` re-reads the zone).
 */
export class PyAwareDateTime extends PyDateTime {
  readonly #tzinfo: PyTzInfo;

  constructor(wallClock: Date, tzinfo: PyTzInfo) {
    super(wallClock, false);
    this.#tzinfo = tzinfo;
  }

  override get tzinfo(): PyTzInfo {
    return this.#tzinfo;
  }

  /** The instant: aware values order, subtract and compare equal by it, whatever their zones. */
  override get comparableMillis(): number {
    return this.instant.getTime() - this.#tzinfo.offsetSeconds * 1000;
  }

  override shifted(milliseconds: number): PyAwareDateTime {
    return new PyAwareDateTime(new Date(this.instant.getTime() + milliseconds), this.#tzinfo);
  }

  override utcoffset(): PyTimedelta {
    return new PyTimedelta(this.#tzinfo.offsetSeconds * 1000);
  }

  override timestamp(): number {
    return this.comparableMillis / 1000;
  }

  /** Python's `+HH:MM`, with `:SS` only when the offset has seconds. */
  protected override offsetText(separator: string): string {
    const total = this.#tzinfo.offsetSeconds;
    const sign = total < 0 ? "-" : "+";
    const abs = Math.abs(total);
    const parts = [Math.floor(abs / 3600), Math.floor(abs / 60) % 60];
    if (abs % 60 !== 0) parts.push(abs % 60);
    return sign + parts.map((part) => String(part).padStart(2, "0")).join(separator);
  }

  protected override zoneName(): string {
    return this.#tzinfo.tzname();
  }

  override isoformat(separator: unknown = "T"): string {
    return super.isoformat(separator) + this.offsetText(":");
  }
}
