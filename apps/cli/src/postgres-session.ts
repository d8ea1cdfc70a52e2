/**
 * How Almanac's own Postgres sessions guard the cluster against a client that vanished: a
 * worker whose network went away mid-step keeps its transaction and its partition locks (an
 * advisory lock, or the AccessExclusiveLock of a CREATE TABLE) until Postgres notices — with
 * Postgres's defaults, after the kernel's TCP keepalive (two hours), which stalls every other
 * worker waiting for those locks (issue 17, measured in the fault suite's netns scenarios).
 *
 * They are session settings sent as startup options, so they apply to Almanac's connections
 * only, never to the rest of a shared server, and need no superuser.
 */
export interface PostgresSessionSettings {
  /**
   * `ALMANAC_PG_KEEPALIVES_IDLE_S`: seconds without traffic before the server (and the client
   * socket) sends a keepalive probe (`tcp_keepalives_idle`). Default 10.
   */
  readonly keepalivesIdleS: number;
  /** `ALMANAC_PG_KEEPALIVES_INTERVAL_S`: seconds between unanswered probes (`tcp_keepalives_interval`). Default 5. */
  readonly keepalivesIntervalS: number;
  /**
   * `ALMANAC_PG_KEEPALIVES_COUNT`: unanswered probes after which the server drops the
   * connection, rolling back its transaction and freeing its locks (`tcp_keepalives_count`).
   * Default 3: a silent peer is dropped about 10 + 3 × 5 = 25 s after it went quiet.
   */
  readonly keepalivesCount: number;
  /**
   * `ALMANAC_PG_TCP_USER_TIMEOUT_MS`: data the server sent that stays unacknowledged this long
   * drops the connection (`tcp_user_timeout`). Keepalives are not sent while data is in flight,
   * so without it a result sent just as the link went down would be retransmitted for ~15
   * minutes. Default 30 000; 0 = the kernel's default.
   */
  readonly tcpUserTimeoutMs: number;
  /**
   * `ALMANAC_PG_CONNECTION_CHECK_INTERVAL_MS`: while a statement runs, the server checks this
   * often whether its client is still there and cancels the statement if not
   * (`client_connection_check_interval`, Linux). Without it a dead client's hour-long model
   * would run to its end holding its locks. Default 10 000; 0 = off.
   */
  readonly connectionCheckIntervalMs: number;
  /**
   * `ALMANAC_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS`: a session idle inside a transaction this long
   * is ended by the server (`idle_in_transaction_session_timeout`). It counts only time between
   * statements, never a running statement, so a long model is not affected. It is the backstop
   * for a client that is connected but stuck (a frozen process, a hung event loop); a dead link
   * is caught by the keepalives first. A step's transaction is idle while its model renders,
   * and a render may wait for `run_query` (up to 5 minutes per call), hence the generous
   * default of 600 000 (10 minutes); 0 = off.
   */
  readonly idleInTransactionTimeoutMs: number;
}

/** The defaults above. */
export const defaultPostgresSession: PostgresSessionSettings = Object.freeze({
  keepalivesIdleS: 10,
  keepalivesIntervalS: 5,
  keepalivesCount: 3,
  tcpUserTimeoutMs: 30_000,
  connectionCheckIntervalMs: 10_000,
  idleInTransactionTimeoutMs: 600_000,
});

/** The settings as a libpq `options` startup parameter (`-c name=value …`). */
export function postgresStartupOptions(settings: PostgresSessionSettings): string {
  const values: Record<string, number> = {
    tcp_keepalives_idle: settings.keepalivesIdleS,
    tcp_keepalives_interval: settings.keepalivesIntervalS,
    tcp_keepalives_count: settings.keepalivesCount,
    tcp_user_timeout: settings.tcpUserTimeoutMs,
    client_connection_check_interval: settings.connectionCheckIntervalMs,
    idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs,
  };
  return Object.entries(values)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(" ");
}
