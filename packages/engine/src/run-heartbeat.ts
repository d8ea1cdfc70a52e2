import { heartbeatRun, type StoreDb } from "@almanac/store";

/**
 * How often a run proves it is alive while one of its steps runs. The reconciler presumes a run
 * dead after `ALMANAC_STALE_RUN_MS` (default 60 s) of silence; beating every 10 s keeps a long
 * step (a big window overwrite) well inside that bound.
 */
export const stepHeartbeatMs = 10_000;

/**
 * Stamps the run's heartbeat every `intervalMs` until the returned function is called (and
 * awaited: it waits for a beat in flight). The engine otherwise beats only between steps. A
 * failed beat is ignored — the store may blink — and a refused one (the attempt was taken
 * over) is left for the check between steps, which stops the run: a step cannot be abandoned
 * halfway without rolling back its transaction anyway.
 */
export function beatDuringStep(
  db: StoreDb,
  run: { readonly runId: string; readonly attempt: number },
  intervalMs: number = stepHeartbeatMs,
): () => Promise<void> {
  let inFlight: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = heartbeatRun(db, run)
      .catch(() => undefined)
      .finally(() => {
        inFlight = undefined;
      });
  }, intervalMs);
  // A beat must never keep a finished process alive.
  timer.unref();
  return async () => {
    clearInterval(timer);
    await inFlight;
  };
}
