const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `value` can be compared with a uuid column. Ids come from URLs and the CLI: a
 * malformed one must read as "no such run", not as a Postgres cast error.
 */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
