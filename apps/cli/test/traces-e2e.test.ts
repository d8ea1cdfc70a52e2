import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  copyProject,
  createTestDatabase,
  type OtlpReceiver,
  type ReceivedSpan,
  startOtlpReceiver,
  type TestDatabase,
} from "@almanac/testing";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { apiClient, type RunningServices, startServices } from "./cli-fixture.js";

const token = "traces-e2e-token";

/** Requests that must succeed, with the token, through the end-to-end tests' one REST client. */
const api = (base: string, method: string, url: string, body?: unknown) => apiClient(base, token).ok(method, url, body);
const waitForRun = (base: string, runId: string) => apiClient(base, token).waitForRun(runId);
const spanKind = { server: 2, producer: 4, consumer: 5 } as const;

/** Waits until `found` holds for the spans received (exports are batched every 100 ms here). */
async function waitForSpans(receiver: OtlpReceiver, found: (spans: readonly ReceivedSpan[]) => boolean) {
  for (let i = 0; i < 100; i++) {
    if (found(receiver.spans)) return;
    await sleep(100);
  }
  throw new Error(`spans never arrived; got ${receiver.spans.map((s) => `${s.service}:${s.name}`).join(", ")}`);
}

/** The chain of spans from `span` up to its trace's root, `span` first. */
function ancestry(spans: readonly ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain = [span];
  for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId)) chain.push(parent);
  return chain;
}

/** `almanac serve` + `almanac worker` exporting to a receiver of the test's, as to a collector. */
describe("OpenTelemetry traces of serve and worker", () => {
  let db: TestDatabase;
  let receiver: OtlpReceiver;
  let services: RunningServices | undefined;

  before(async () => {
    db = await createTestDatabase();
    receiver = await startOtlpReceiver();
    await generateTrips({ databaseUrl: db.url, from: "2024-01-01", to: "2024-01-03", rowsPerDay: 50 });
    services = await startServices({
      databaseUrl: db.url,
      projectDir: await copyProject("nyc_taxi"),
      apiToken: token,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "100",
        // No catch-up ticks at start: the only runs are the test's.
        ALMANAC_SCHEDULE_CATCHUP_DAYS: "0",
      },
    });
  });

  after(async () => {
    await services?.stop();
    await receiver?.close();
    await db?.drop();
  });

  test("one trace joins the request, the enqueue, the worker's run and steps, and their SQL", async () => {
    const base = services?.base ?? "";
    const accepted = await api(base, "POST", "/api/runs", { select: "+daily_metrics", partition: "2024-01-02" });
    const runId = String(accepted.runId);
    const run = await waitForRun(base, runId);
    assert.equal(run.status, "succeeded");

    const isRunSpan = (s: ReceivedSpan) => s.name === "almanac.run" && s.attributes["almanac.run.id"] === runId;
    await waitForSpans(receiver, (spans) => spans.some(isRunSpan));
    const spans = receiver.spans;

    const request = spans.find((s) => s.name === "POST /api/runs" && s.kind === spanKind.server);
    assert.ok(request, "the server's span of the request, named after its route");
    assert.equal(request.service, "almanac-serve");
    assert.equal(request.attributes["http.route"], "/api/runs");
    const trace = spans.filter((s) => s.traceId === request.traceId);
    const names = trace.map((s) => s.name);

    // Server side: planning and the enqueue, under the request.
    const plan = trace.find((s) => s.name === "almanac.plan");
    assert.ok(plan, `planning in the request's trace: ${names.join(", ")}`);
    assert.equal(plan.attributes["almanac.select"], "+daily_metrics");
    assert.equal(plan.attributes["almanac.partition.from"], "2024-01-02");
    const publish = trace.find((s) => s.name === "runs publish" && s.kind === spanKind.producer);
    assert.ok(publish, "the enqueue");
    assert.ok(ancestry(trace, publish).includes(request), "the enqueue is under the request");

    // Worker side: the job's processing continues the trace from the job's data.
    const processing = trace.find((s) => s.name === "runs process" && s.kind === spanKind.consumer);
    assert.ok(processing, `the worker's job span in the request's trace: ${names.join(", ")}`);
    assert.equal(processing.service, "almanac-worker");
    assert.equal(processing.parentSpanId, publish.spanId);
    const runSpan = trace.find(isRunSpan);
    assert.ok(runSpan);
    assert.equal(runSpan.parentSpanId, processing.spanId);
    assert.equal(runSpan.attributes["almanac.run.status"], "succeeded");
    assert.deepEqual([...(runSpan.attributes["almanac.assets"] as string[])].sort(), ["daily_metrics", "stg_trips"]);

    // Each step, with what the store recorded for it.
    const { steps } = run as { steps: { assetKey: string; status: string; rowsWritten: number | null }[] };
    const stepSpans = trace.filter((s) => s.name.startsWith("almanac.step "));
    assert.equal(stepSpans.length, steps.length);
    for (const step of steps) {
      const span = stepSpans.find((s) => s.attributes["almanac.asset"] === step.assetKey);
      assert.ok(span, step.assetKey);
      assert.equal(span.parentSpanId, runSpan.spanId);
      assert.equal(span.attributes["almanac.step.status"], step.status);
      assert.equal(span.attributes["almanac.rows_written"], step.rowsWritten ?? 0);
    }
    const daily = stepSpans.find((s) => s.attributes["almanac.asset"] === "daily_metrics");
    assert.ok(daily);
    assert.equal(daily.attributes["almanac.partition.from"], "2024-01-02");
    assert.equal(daily.attributes["almanac.partitions"], 1);
    assert.ok(Number(daily.attributes["almanac.rows_written"]) > 0);

    // The worker's SQL: statements under the daily_metrics step, the model's own among them.
    const stepSql = trace.filter(
      (s) => s.attributes["db.system.name"] === "postgresql" && ancestry(trace, s).includes(daily),
    );
    assert.ok(stepSql.length > 0, "SQL spans under the step");
    assert.ok(stepSql.every((s) => s.service === "almanac-worker"));
    assert.ok(
      stepSql.some(
        (s) =>
          /daily_metrics/.test(String(s.attributes["db.query.text"])) &&
          /pickup_at/.test(String(s.attributes["db.query.text"])),
      ),
      "the model's statement is traced with its text",
    );
    // Parameter values stay out of the spans (they can be customer data).
    assert.ok(stepSql.every((s) => s.attributes["db.query.parameter.0"] === undefined));
  });
});
