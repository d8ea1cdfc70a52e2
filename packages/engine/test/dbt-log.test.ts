import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { materializeSelection, type StepReport } from "@almanac/engine";
import { writeProject } from "@almanac/testing";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

/**
 * dbt's `log(msg, info=True)` prints to the console while a run renders; `log(msg)` goes to the
 * debug log file only. In a run the first become the step's (or the run's) info lines.
 */
const files: Record<string, string> = {
  "dbt_project.yml": [
    "name: log_shop",
    "on-run-start:",
    "  - \"{{ log('starting ' ~ target.name, info=True) }}\"",
  ].join("\n"),
  "models/greets.sql": [
    "{{ log('hello ' ~ this.name, info=True) }}",
    "{{ log('quiet ' ~ this.name) }}",
    "{% do log('as a statement', info=True) %}",
    "select 1 as x",
  ].join("\n"),
  "models/breaks.sql": "{{ log('about to break', info=True) }}select no_such_column",
};

describe("log() in models and run hooks", () => {
  let dir: string;
  let fixture: EngineFixture;

  before(async () => {
    dir = await writeProject("log", files);
    fixture = await engineFixture(dir);
  });
  after(async () => {
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });

  const eventsOf = (runId: string) =>
    fixture.query<{ step_idx: number | null; level: string; message: string }>(
      "select step_idx, level, message from almanac.run_events where run_id = $1 order by id",
      [runId],
    );

  it("info=True lines are run events of the step and the step's report; log() without info is not", async () => {
    const reports: StepReport[] = [];
    const result = await materializeSelection(
      fixture.ctx,
      { select: "greets" },
      { now: new Date(), onStep: (report) => void reports.push(report) },
    );
    assert.equal(result.status, "succeeded", JSON.stringify(result.steps));
    assert.deepEqual(
      reports.map((report) => report.logs),
      [["hello greets", "as a statement"]],
    );
    const events = await eventsOf(result.runId);
    const logged = events.filter((event) => /hello|quiet|statement|starting/.test(event.message));
    assert.deepEqual(logged, [
      { step_idx: null, level: "info", message: "starting test" },
      { step_idx: 0, level: "info", message: "hello greets" },
      { step_idx: 0, level: "info", message: "as a statement" },
    ]);
  });

  it("a step whose SQL fails keeps what it logged before", async () => {
    const result = await materializeSelection(fixture.ctx, { select: "breaks" }, { now: new Date() });
    assert.equal(result.status, "failed");
    assert.deepEqual(result.steps[0]?.logs, ["about to break"]);
    const events = await eventsOf(result.runId);
    assert.ok(
      events.some((event) => event.step_idx === 0 && event.level === "info" && event.message === "about to break"),
      JSON.stringify(events),
    );
  });
});
