import { AlmanacError } from "@almanac/errors";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Characters kept as they are in an encoded id part; everything else becomes `_XX`. */
const plainChar = /[A-Za-z0-9.-]/;

/**
 * BullMQ job id of one attempt of a run: `run.<uuid>.<attempt>`. Adding a job whose id exists
 * is a no-op in BullMQ, so enqueueing the same attempt twice (a retried API call, the reconciler
 * racing the server) gives one job, while the reconciler's re-enqueue after a lost worker (the
 * engine bumped `attempt`) gives a new one. The uuid is lower-cased so that an id typed in
 * capitals names the same job.
 *
 * @throws AlmanacError `ALMANAC_BAD_REQUEST` when `runId` is not a uuid or `attempt` is not a
 *   non-negative integer: such an id would never match a recorded run.
 */
export function runJobId(runId: string, attempt: number): string {
  if (!uuidPattern.test(runId)) {
    throw new AlmanacError("ALMANAC_BAD_REQUEST", `run id ${JSON.stringify(runId)} is not a uuid`, { runId });
  }
  if (!Number.isSafeInteger(attempt) || attempt < 0) {
    throw new AlmanacError("ALMANAC_BAD_REQUEST", `run attempt ${attempt} is not a non-negative integer`, {
      runId,
      attempt,
    });
  }
  return `run.${runId.toLowerCase()}.${attempt}`;
}

/**
 * Encodes a value (a partition key, an asset key) for use inside a BullMQ job id, which may not
 * contain `:` (BullMQ's key separator) — and hourly keys such as `2024-11-03-01:00-0500` do.
 * Letters, digits, `.` and `-` stay readable; every other UTF-8 byte becomes `_` and two hex
 * digits (`:` → `_3A`, `+` → `_2B`, `_` → `_5F`), so distinct values never share an encoding.
 */
export function encodeJobIdPart(value: string): string {
  let encoded = "";
  for (const char of value) {
    if (plainChar.test(char)) {
      encoded += char;
      continue;
    }
    for (const byte of Buffer.from(char, "utf8")) {
      encoded += `_${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    }
  }
  return encoded;
}

/** Inverse of {@link encodeJobIdPart}. @throws AlmanacError `ALMANAC_BAD_REQUEST` on malformed input. */
export function decodeJobIdPart(encoded: string): string {
  if (!/^(?:[A-Za-z0-9.-]|_[0-9A-F]{2})*$/.test(encoded)) {
    throw new AlmanacError("ALMANAC_BAD_REQUEST", `${JSON.stringify(encoded)} is not an encoded job id part`);
  }
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === "_") {
      bytes.push(Number.parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(encoded.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}
