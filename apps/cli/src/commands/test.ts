import { seeFailures, testSelection } from "@almanac/engine";
import { projectAsset } from "@almanac/project";
import { migrate } from "@almanac/store";
import type { AlmanacEnv } from "../config.js";
import { openSession } from "../connections.js";
import { exitCodes, paint } from "../output.js";

export interface TestFlags {
  readonly partition?: string;
  readonly from?: string;
  readonly to?: string;
}

const colors = { passed: "green", warned: "yellow", failed: "red" } as const;

/**
 * `almanac test <selection> [--partition K | --from A --to B]`: run the selected models' dbt
 * tests on their materialized partitions, record the outcomes (shown by `almanac status` and
 * the API) and print the ones that did not pass. Exit 1 when an error-severity test failed.
 */
export async function testCommand(env: AlmanacEnv, projectDir: string, selection: string, flags: TestFlags) {
  const session = await openSession(env, projectDir);
  try {
    await migrate(session.storeUrl);
    const tested = await testSelection(session.ctx, selection, { ...flags, now: new Date() });
    const counts = { passed: 0, warned: 0, failed: 0 };
    for (const asset of tested) {
      const partitions = new Set(asset.outcomes.map((outcome) => outcome.partitionKey)).size;
      const skipped = asset.notMaterialized > 0 ? `, ${asset.notMaterialized} not materialized yet` : "";
      process.stdout.write(
        asset.assetKey === projectAsset
          ? `tests of no model: ${asset.outcomes.length} checks\n`
          : `${asset.assetKey}: ${asset.outcomes.length} checks on ${partitions} partitions${skipped}\n`,
      );
      for (const outcome of asset.outcomes) {
        counts[outcome.status] += 1;
        if (outcome.status === "passed") continue;
        const where = outcome.partitionKey === "" ? "" : ` [${outcome.partitionKey}]`;
        const found =
          outcome.failures === null ? `could not run: ${outcome.message}` : `${outcome.failures} failing rows`;
        process.stdout.write(
          `  ${paint(colors[outcome.status], outcome.status.padEnd(6))} ${outcome.checkName}${where}: ${found}${seeFailures(outcome).replaceAll("\n", "\n    ")}\n`,
        );
      }
    }
    process.stdout.write(`${counts.passed} passed, ${counts.warned} warned, ${counts.failed} failed\n`);
    return counts.failed > 0 ? exitCodes.runFailed : exitCodes.ok;
  } finally {
    await session.close();
  }
}
