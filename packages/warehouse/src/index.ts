export type { SeedLoad, SeedLoadResult } from "./load-seed.js";
export { loadSeed } from "./load-seed.js";
export { materialize } from "./materialize.js";
export type { Column, RelationKind, RelationShape } from "./relations.js";
export { columnsOf, quoteIdentifier, quoteRelation, relationExists, relationKind, relationShape } from "./relations.js";
export type { HookStatement } from "./run-hooks.js";
export { runHooks } from "./run-hooks.js";
export type { StoredFailuresKind } from "./store-test-failures.js";
export { storeTestFailures } from "./store-test-failures.js";
export type { SyncQuery, SyncQueryConnection, SyncQueryResult } from "./sync-query.js";
export { connectionOfPool, WorkerSyncQuery } from "./sync-query.js";
export type {
  MaterializeRequest,
  MaterializeResult,
  Relation,
  SchemaChangePolicy,
  SnapshotColumnNames,
  SnapshotSpec,
  TimeWindow,
  WarehouseMaterialization,
  WarehouseStrategy,
} from "./types.js";
export type { WindowPredicate } from "./window-filter.js";
export { windowPredicate } from "./window-filter.js";
