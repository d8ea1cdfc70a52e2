import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { commandOf, tracingRequested } from "./early-tracing.js";

describe("which invocations start the OpenTelemetry SDK", () => {
  const commands: [argv: string[], command: string | undefined][] = [
    [["serve"], "serve"],
    [["--project", "dev", "worker"], "worker"],
    [["--verbose", "dev"], "dev"],
    [["--project=./p", "serve", "--insecure"], "serve"],
    [["materialize", "dev", "--partition", "2024-01-01"], "materialize"],
    [["--help"], undefined],
    [[], undefined],
  ];
  for (const [argv, command] of commands) {
    test(`${JSON.stringify(argv)} names ${command ?? "no command"}`, () => {
      assert.equal(commandOf(argv), command);
    });
  }

  const environments: [env: NodeJS.ProcessEnv, requested: boolean][] = [
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "" }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "false" }, true],
    // Other OTEL_* variables alone do not turn tracing on.
    [{ OTEL_SERVICE_NAME: "almanac", OTEL_TRACES_EXPORTER: "otlp" }, false],
  ];
  for (const [env, requested] of environments) {
    test(`${JSON.stringify(env)}: ${requested ? "on" : "off"}`, () => {
      assert.equal(tracingRequested(env), requested);
    });
  }
});
