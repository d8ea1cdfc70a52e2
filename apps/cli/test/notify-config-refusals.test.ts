import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { copyProject, editFile } from "@almanac/testing";
import { runAlmanac } from "./cli-fixture.js";
import { notifyFixture } from "./notify-fixture.js";

// A mistake in almanac.yml's notifications or freshness stops the project from loading, with a
// message naming the key and line, before any server starts (so no alert is silently lost).
const refusals: [string, string, string, RegExp][] = [
  [
    "an unknown event name",
    "on: [run_failed, backfill_completed,",
    "on: [run_failed, backfill_complete,",
    /almanac\.yml: notifications\[0\]\.on\[1\] "backfill_complete" is not a notification event \(did you mean "backfill_completed"\?\)/,
  ],
  [
    "a lag without a unit",
    "freshness: { max_lag: 1m }",
    "freshness: { max_lag: 90 }",
    /almanac\.yml: assets\[1\]\.freshness\.max_lag must be a duration above zero like 30m, 26h or 2d, got 90/,
  ],
  [
    "a notification without url",
    ', url: "RECEIVER_URL?only=failures" }',
    " }",
    /almanac\.yml: notifications\[1\]\.url is required/,
  ],
];

for (const [name, from, to, message] of refusals) {
  test(`almanac.yml with ${name} is refused at load, naming the key`, async () => {
    const dir = await copyProject(notifyFixture);
    const file = path.join(dir, "almanac.yml");
    await editFile(file, from, to);
    // Valid URLs everywhere else, so the one mistake is what is refused.
    await writeFile(file, (await readFile(file, "utf8")).replaceAll("RECEIVER_URL", "http://127.0.0.1:9/hook"));
    const result = await runAlmanac({ ALMANAC_PROJECT_DIR: dir }, "compile", "days", "--partition", "2024-01-01");
    assert.notEqual(result.code, 0, result.stdout);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  });
}
