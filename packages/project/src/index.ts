export type { AssetAutomation } from "./asset-rules.js";
export { downstreamOf, parentsOf, upstreamOf } from "./dag.js";
export type { DataTest, GenericTestKind, TestSeverity } from "./data-tests.js";
export { genericTestKinds, projectAsset, verdictOf, verdictQuery } from "./data-tests.js";
export { relationTypeIn } from "./dbt-adapter.js";
export { defaultEnvVarPrefixes, parseEnvVarPrefixes } from "./dbt-context.js";
export type { EphemeralCte } from "./ephemeral-ctes.js";
export { injectCtes } from "./ephemeral-ctes.js";
export type { FreshnessPolicy } from "./freshness-config.js";
export { parseLag } from "./freshness-config.js";
export { genericTestName } from "./generic-tests.js";
export type { LoadProjectOptions } from "./load-project.js";
export { loadProject } from "./load-project.js";
export { microbatchLookback } from "./microbatch.js";
export { partitionMappingOf, partitionsOf } from "./model-partitions.js";
export type { NotificationConfig, NotificationEvent } from "./notifications-config.js";
export { notificationEvents, subscribersOf } from "./notifications-config.js";
export type { QueryResult, WarehouseQuery } from "./query-table.js";
export { QueryColumn, QueryTable } from "./query-table.js";
export { quoteIdentifier } from "./relation.js";
export type { CheckQueries, DataTestContext } from "./render-data-test.js";
export { renderCheck, renderDataTest } from "./render-data-test.js";
export { relationOf, renderModel } from "./render-model.js";
export type { RenderedSeedHooks, RunEndVariables } from "./render-stand-ins.js";
export { renderRunHooks, renderSeedHooks, runOperation } from "./render-stand-ins.js";
export type { SeedColumn, SeedTable } from "./seed-file.js";
export { inferColumnType, readSeed, seedRelationOf, selectSeeds } from "./seed-file.js";
export { selectModels, selectNodes } from "./select-models.js";
export type { SnapshotColumns, SnapshotSettings } from "./snapshot-config.js";
export { snapshotSettings } from "./snapshot-config.js";
export type { StoreFailuresAs } from "./store-failures.js";
export { failuresRelationOf } from "./store-failures.js";
export type {
  BackfillPolicy,
  ColumnProperties,
  IncrementalStrategy,
  MacroFile,
  Materialization,
  Model,
  ModelConfig,
  OnSchemaChange,
  Project,
  Relation,
  RenderContext,
  RenderedHook,
  RenderedModel,
  RunHooks,
  ScheduleConfig,
  Seed,
  SourceTable,
  Target,
} from "./types.js";
