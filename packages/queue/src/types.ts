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
}
