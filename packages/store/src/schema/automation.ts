import { bigserial, index, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { almanac } from "./almanac-schema.js";

/**
 * Partitions that were just updated and that an eager asset follows: written in the transaction
 * that commits them (a step's data and status, a source event), taken by exactly one server
 * (`for update skip locked`) in the transaction that requests what follows them. A row is a
 * durable wake-up: a server that was down finds it when it comes back. Inserting one notifies
 * `almanac_automation` (a statement trigger), so servers wake on commit instead of polling.
 */
export const automationUpdates = almanac.table("automation_updates", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  /** The asset, or `source.table` for a source event. */
  assetKey: text("asset_key").notNull(),
  /** Inclusive keys of the asset's (or source's) definition; both null for all of it. */
  partitionFrom: text("partition_from"),
  partitionTo: text("partition_to"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The last automation request per asset partition, and the upstream update it answered: a
 * partition is requested again only for an upstream update newer than `cause_at`. The upsert
 * that raises `cause_at` is the claim: of two servers evaluating the same update, only one
 * raises it and records the run.
 */
export const automationClaims = almanac.table(
  "automation_claims",
  {
    assetKey: text("asset_key").notNull(),
    partitionKey: text("partition_key").notNull(),
    /** When the newest upstream partition it follows was updated. */
    causeAt: timestamp("cause_at", { withTimezone: true }).notNull(),
    runId: uuid("run_id").notNull(),
    claimedAt: timestamp("claimed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ name: "automation_claims_pkey", columns: [table.assetKey, table.partitionKey] }),
    index("automation_claims_run_id_idx").on(table.runId),
  ],
);
