import { AlmanacError } from "@almanac/errors";
import type { BackfillPolicy } from "@almanac/project";
import type { Static } from "typebox";
import type { RunRequestBody } from "../../schemas/runs.js";

/**
 * The backfill policy a `POST /api/runs` body asks for, if any: `maxPartitionsPerRun` alone
 * implies `multi_run`; with `single_run` it would be ignored silently, so it is refused.
 */
export function policyOfBody(body: Static<typeof RunRequestBody>): BackfillPolicy | undefined {
  const { policy, maxPartitionsPerRun } = body;
  if (policy === "single_run" && maxPartitionsPerRun !== undefined) {
    throw new AlmanacError(
      "ALMANAC_BAD_REQUEST",
      "maxPartitionsPerRun applies to policy multi_run; drop it or use multi_run",
    );
  }
  if (policy === undefined && maxPartitionsPerRun === undefined) return undefined;
  return policy === "single_run" ? { type: "single_run" } : { type: "multi_run", maxPartitionsPerRun };
}
