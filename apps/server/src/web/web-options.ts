import type { RouteDeps } from "../app-options.js";

/** What the web pages are built from: the REST routes' dependencies plus the auth settings. */
export interface WebOptions extends RouteDeps {
  /** `ALMANAC_API_TOKEN`: when set, changes need a session from `/login` (or the bearer token). */
  readonly apiToken?: string;
  /** `ALMANAC_WEB_PUBLIC_READ`: with a token set, whether read-only pages stay open. Default true. */
  readonly publicRead: boolean;
  /** Backfills over more partitions are refused. Default: the engine's (100,000). */
  readonly maxBackfillPartitions?: number;
  /**
   * Filled with the URL of every route the pages register, so the bearer check on `/api` can
   * leave them to the session check (see `plugins/auth.ts`).
   */
  readonly routes: Set<string>;
}
