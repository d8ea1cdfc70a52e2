import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AlmanacError } from "@almanac/errors";
import { UnrecoverableError } from "bullmq";
import pino from "pino";
import type { WorkerLogger } from "./index.js";
import { RunJobGaveUp, runJobError, runJobErrorKind, WorkerStoppedError } from "./run-job-errors.js";

/** A `pg` error as the driver throws it: a SQLSTATE in `code`. */
function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("what a run job does when executeRun throws", () => {
  const cases: [label: string, error: unknown, kind: "retry" | "give_up"][] = [
    ["a retryable AlmanacError (store unavailable)", new AlmanacError("ALMANAC_STORE_UNAVAILABLE", "down"), "retry"],
    ["a serialization failure", pgError("40001", "could not serialize access"), "retry"],
    ["a deadlock", pgError("40P01", "deadlock detected"), "retry"],
    ["an admin shutdown", pgError("57P01", "terminating connection due to administrator command"), "retry"],
    ["a server starting up", pgError("57P03", "the database system is starting up"), "retry"],
    ["a reset connection", pgError("ECONNRESET", "read ECONNRESET"), "retry"],
    [
      "this worker's network down (ENETUNREACH, wrapped by drizzle)",
      new Error("Failed query: insert into almanac.asset_partitions", {
        cause: pgError("ENETUNREACH", "connect ENETUNREACH 10.64.2.1:5432"),
      }),
      "retry",
    ],
    [
      "a lost connection wrapped by drizzle",
      new Error("query failed", { cause: new Error("Connection terminated unexpectedly") }),
      "retry",
    ],
    ["this worker stopping mid-run", new WorkerStoppedError("stopping"), "retry"],
    ["a run that already finished", new AlmanacError("ALMANAC_UNKNOWN_RUN", "run x is already finished"), "give_up"],
    ["an attempt taken over", new AlmanacError("ALMANAC_RUN_TAKEN_OVER", "run x is no longer owned"), "give_up"],
    [
      "a partitions definition removed from almanac.yml",
      new AlmanacError("ALMANAC_BAD_PROJECT_CONFIG", "gone"),
      "give_up",
    ],
    ["a bug", new TypeError("cannot read properties of undefined"), "give_up"],
    ["a thrown string", "boom", "give_up"],
  ];
  for (const [label, error, kind] of cases) {
    test(`${label}: ${kind}`, () => {
      assert.equal(runJobErrorKind(error), kind);
      const thrown = runJobError(error);
      if (kind === "retry") {
        assert.equal(thrown, error);
      } else {
        assert.ok(thrown instanceof UnrecoverableError);
        assert.equal(thrown.name, "UnrecoverableError");
      }
    });
  }

  test("a give-up keeps the code in its message and tells races from faults", () => {
    const race = runJobError(new AlmanacError("ALMANAC_UNKNOWN_RUN", "run x is already finished"));
    assert.ok(race instanceof RunJobGaveUp);
    assert.equal(race.message, "ALMANAC_UNKNOWN_RUN: run x is already finished");
    assert.equal(race.expectedRace, true);
    const bug = runJobError(new TypeError("oops"));
    assert.ok(bug instanceof RunJobGaveUp);
    assert.equal(bug.expectedRace, false);
  });

  test("a pino logger is a WorkerLogger", () => {
    const logger: WorkerLogger = pino({ enabled: false });
    logger.info({ runId: "x" }, "compiles and runs");
  });
});
