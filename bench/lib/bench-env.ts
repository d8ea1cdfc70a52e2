import { randomBytes } from "node:crypto";
import { createRunQueue } from "@almanac/queue";
import { adminUrl } from "@almanac/testing";

/** The services the benchmarks use: the test services (or ALMANAC_TEST_DATABASE_URL / ALMANAC_TEST_REDIS_URL). */
export const redisUrl = process.env.ALMANAC_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export { adminUrl };

/** A BullMQ prefix of the benchmark's own, so nothing else on the Redis is touched. */
export function benchQueuePrefix(name: string): string {
  return `almanac_bench_${name}_${randomBytes(4).toString("hex")}`;
}

/** Removes every job and key of the run queue under `prefix`. */
export async function dropQueue(prefix: string): Promise<void> {
  const queue = createRunQueue({ redisUrl, prefix });
  try {
    await queue.queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
}
