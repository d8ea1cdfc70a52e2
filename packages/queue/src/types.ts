/** Where the queue lives; every Almanac process that shares a queue shares these. */
export interface QueueSettings {
  /** `REDIS_URL`, e.g. `redis://127.0.0.1:6379`. */
  readonly redisUrl: string;
  /** `ALMANAC_QUEUE_PREFIX`: BullMQ key prefix, so several instances can share one Redis. Default `almanac`. */
  readonly prefix: string;
}

/** Payload of a run job: the run is recorded in Postgres; the job only says which one to execute. */
export interface RunJobData {
  readonly runId: string;
  /**
   * W3C trace context of the span that enqueued the job (`traceparent`, `tracestate`), so the
   * worker's spans continue the request's trace. Absent when tracing is off.
   */
  readonly trace?: Readonly<Record<string, string>>;
}

/** What a finished run job returns: the run's final status, as recorded in Postgres. */
export interface RunJobResult {
  readonly status: "succeeded" | "failed" | "canceled";
}

/** One run to enqueue: its id and its `attempt` as recorded in Postgres (0 for a new run). */
export interface RunToEnqueue {
  readonly runId: string;
  readonly attempt: number;
}
