import { quoteIdentifier } from "./relations.js";
import type { SnapshotSpec } from "./types.js";

/**
 * The SQL of a dbt snapshot, as dbt-postgres 1.9 writes it, built from the checked config. Pure:
 * no I/O. Keys, `updated_at` and `dbt_valid_to_current` are SQL expressions written as given
 * (dbt does the same), which is what lets `unique_key="id || '-' || region"` work.
 */

/** dbt-postgres's `snapshot_get_time()`: the transaction's start, so every row of a run shares it. */
export const snapshotTime = "now()::timestamp without time zone";

/** Staging columns that steer the merge and never reach the snapshot table. */
export function stagingOnlyColumns(spec: SnapshotSpec): string[] {
  const keys = Array.isArray(spec.uniqueKey) ? spec.uniqueKey.map((_, i) => `dbt_unique_key_${i + 1}`) : [];
  return ["dbt_change_type", "dbt_unique_key", ...keys];
}

/** dbt's `snapshot_hash_arguments`: md5 of the arguments cast to text, `|`-separated, nulls as ''. */
export function hashArguments(args: readonly string[]): string {
  return `md5(${args.map((arg) => `coalesce(cast(${arg} as varchar ), '')`).join(" || '|' || ")})`;
}

/** What a strategy contributes to the statements (dbt's strategy macro result). */
export interface SnapshotStrategySql {
  /** The `dbt_updated_at` / `dbt_valid_from` of a new version. */
  readonly updatedAt: string;
  /** True when the current snapshot row (`snapshotted_data`) differs from the select's (`source_data`). */
  readonly rowChanged: string;
  readonly scdId: string;
}

/**
 * @param checked - check strategy on an existing table: the quoted columns compared, and whether
 *   the select has a column the table lacks (then every row counts as changed, as in dbt)
 */
export function strategySql(
  spec: SnapshotSpec,
  checked: { readonly columns: readonly string[]; readonly columnAdded: boolean } = { columns: [], columnAdded: false },
): SnapshotStrategySql {
  const keys = Array.isArray(spec.uniqueKey) ? [...spec.uniqueKey] : [spec.uniqueKey as string];
  const names = spec.columnNames;
  if (spec.strategy === "timestamp") {
    const updatedAt = spec.updatedAt ?? "";
    return {
      updatedAt,
      rowChanged: `(snapshotted_data.${names.dbt_valid_from} < source_data.${updatedAt})`,
      scdId: hashArguments([...keys, updatedAt]),
    };
  }
  const updatedAt = spec.updatedAt ?? snapshotTime;
  const compared = checked.columns.map(
    (col) =>
      `snapshotted_data.${col} != source_data.${col} or (((snapshotted_data.${col} is null) and not (source_data.${col} is null)) or ((not snapshotted_data.${col} is null) and (source_data.${col} is null)))`,
  );
  const rowChanged = checked.columnAdded ? "(TRUE)" : `(${compared.length === 0 ? "FALSE" : compared.join(" or ")})`;
  return { updatedAt, rowChanged, scdId: hashArguments([...keys, updatedAt]) };
}

function validToCurrent(spec: SnapshotSpec, strategy: SnapshotStrategySql): string {
  // Typed as updated_at (a bare null would be text), valued as dbt_valid_to_current or null.
  return `coalesce(nullif(${strategy.updatedAt}, ${strategy.updatedAt}), ${spec.validToCurrent ?? "null"}) as ${spec.columnNames.dbt_valid_to}`;
}

/** The select of a snapshot's first run: every row, current (dbt's `build_snapshot_table`). */
export function firstSnapshotSelect(spec: SnapshotSpec, select: string): string {
  const strategy = strategySql(spec);
  const names = spec.columnNames;
  const deleted = spec.hardDeletes === "new_record" ? `,\n    'False' as ${names.dbt_is_deleted}` : "";
  return `select *,
    ${strategy.scdId} as ${names.dbt_scd_id},
    ${strategy.updatedAt} as ${names.dbt_updated_at},
    ${strategy.updatedAt} as ${names.dbt_valid_from},
    ${validToCurrent(spec, strategy)}${deleted}
from (
${select}
) sbq`;
}

function keyFields(spec: SnapshotSpec, from = ""): string {
  return Array.isArray(spec.uniqueKey)
    ? spec.uniqueKey.map((key, i) => `${from}${key} as dbt_unique_key_${i + 1}`).join(", ")
    : `${from}${spec.uniqueKey as string} as dbt_unique_key`;
}

function keyJoin(spec: SnapshotSpec, left: string, right: string): string {
  return Array.isArray(spec.uniqueKey)
    ? spec.uniqueKey.map((_, i) => `(${left}.dbt_unique_key_${i + 1} = ${right}.dbt_unique_key_${i + 1})`).join(" and ")
    : `${left}.dbt_unique_key = ${right}.dbt_unique_key`;
}

function keyIs(spec: SnapshotSpec, alias: string, test: "null" | "not null"): string {
  return `${alias}.${Array.isArray(spec.uniqueKey) ? "dbt_unique_key_1" : "dbt_unique_key"} is ${test}`;
}

function isCurrent(spec: SnapshotSpec, column: string): string {
  return spec.validToCurrent === undefined
    ? `${column} is null`
    : `(${column} = ${spec.validToCurrent} or ${column} is null)`;
}

/** What the staging select needs to know of the tables, beyond the config. */
export interface StagingInput {
  /** The quoted snapshot table. */
  readonly target: string;
  readonly strategy: SnapshotStrategySql;
  /** new_record: the select's column names, and the snapshot table's (to copy a deleted row's last values). */
  readonly selectColumns: readonly string[];
  readonly targetColumns: readonly string[];
}

/**
 * The staging rows of a later run (dbt's `snapshot_staging_table`): `insert` rows for new keys
 * and new versions, `update` rows closing changed versions, and per `hard_deletes` `delete` rows
 * closing vanished keys and `insert` rows recording their deletion.
 */
export function snapshotStagingSelect(spec: SnapshotSpec, select: string, input: StagingInput): string {
  const names = spec.columnNames;
  const { strategy, target } = input;
  const newRecord = spec.hardDeletes === "new_record";
  const tracksDeletes = spec.hardDeletes !== "ignore";
  const wasDeleted = newRecord ? ` or snapshotted_data.${names.dbt_is_deleted} = 'True'` : "";
  const latestIsDeleted = `snapshotted_data.${names.dbt_is_deleted} = 'True' and ${
    spec.validToCurrent === undefined
      ? `snapshotted_data.${names.dbt_valid_to} is null`
      : `snapshotted_data.${names.dbt_valid_to} = ${spec.validToCurrent}`
  }`;
  const ctes = [
    `snapshot_query as (\n${select}\n)`,
    `snapshotted_data as (
    select *, ${keyFields(spec)}
    from ${target}
    where ${isCurrent(spec, names.dbt_valid_to)}
)`,
    `insertions_source_data as (
    select *, ${keyFields(spec)},
        ${strategy.updatedAt} as ${names.dbt_updated_at},
        ${strategy.updatedAt} as ${names.dbt_valid_from},
        ${validToCurrent(spec, strategy)},
        ${strategy.scdId} as ${names.dbt_scd_id}
    from snapshot_query
)`,
    `updates_source_data as (
    select *, ${keyFields(spec)},
        ${strategy.updatedAt} as ${names.dbt_updated_at},
        ${strategy.updatedAt} as ${names.dbt_valid_from},
        ${strategy.updatedAt} as ${names.dbt_valid_to}
    from snapshot_query
)`,
  ];
  if (tracksDeletes)
    ctes.push(`deletes_source_data as (\n    select *, ${keyFields(spec)}\n    from snapshot_query\n)`);
  ctes.push(
    `insertions as (
    select 'insert' as dbt_change_type, source_data.*${newRecord ? `, 'False' as ${names.dbt_is_deleted}` : ""}
    from insertions_source_data as source_data
    left outer join snapshotted_data on ${keyJoin(spec, "snapshotted_data", "source_data")}
    where ${keyIs(spec, "snapshotted_data", "null")}
       or (${keyIs(spec, "snapshotted_data", "not null")} and (${strategy.rowChanged}${wasDeleted}))
)`,
    `updates as (
    select 'update' as dbt_change_type, source_data.*, snapshotted_data.${names.dbt_scd_id}${newRecord ? `, snapshotted_data.${names.dbt_is_deleted}` : ""}
    from updates_source_data as source_data
    join snapshotted_data on ${keyJoin(spec, "snapshotted_data", "source_data")}
    where (${strategy.rowChanged}${wasDeleted})
)`,
  );
  if (tracksDeletes) {
    ctes.push(`deletes as (
    select 'delete' as dbt_change_type, source_data.*,
        ${snapshotTime} as ${names.dbt_valid_from},
        ${snapshotTime} as ${names.dbt_updated_at},
        ${snapshotTime} as ${names.dbt_valid_to},
        snapshotted_data.${names.dbt_scd_id}${newRecord ? `, snapshotted_data.${names.dbt_is_deleted}` : ""}
    from snapshotted_data
    left join deletes_source_data as source_data on ${keyJoin(spec, "snapshotted_data", "source_data")}
    where ${keyIs(spec, "source_data", "null")}${newRecord ? `\n      and not (${latestIsDeleted})` : ""}
)`);
  }
  if (newRecord) {
    const known = new Set(input.targetColumns);
    const values = input.selectColumns.map(
      (name) => `${known.has(name) ? "snapshotted_data" : "source_data"}.${quoteIdentifier(name)}`,
    );
    const keys = Array.isArray(spec.uniqueKey)
      ? keyFields(spec, "snapshotted_data.")
      : "snapshotted_data.dbt_unique_key as dbt_unique_key";
    ctes.push(`deletion_records as (
    select 'insert' as dbt_change_type, ${[...values, keys].join(", ")},
        ${snapshotTime} as ${names.dbt_valid_from},
        ${snapshotTime} as ${names.dbt_updated_at},
        snapshotted_data.${names.dbt_valid_to} as ${names.dbt_valid_to},
        ${hashArguments([names.dbt_scd_id, snapshotTime])} as ${names.dbt_scd_id},
        'True' as ${names.dbt_is_deleted}
    from snapshotted_data
    left join deletes_source_data as source_data on ${keyJoin(spec, "snapshotted_data", "source_data")}
    where ${keyIs(spec, "source_data", "null")}
      and not (${latestIsDeleted})
)`);
  }
  const parts = [
    "insertions",
    "updates",
    ...(tracksDeletes ? ["deletes"] : []),
    ...(newRecord ? ["deletion_records"] : []),
  ];
  return `with ${ctes.join(",\n")}\n${parts.map((part) => `select * from ${part}`).join("\nunion all\n")}`;
}

/** dbt-postgres's `snapshot_merge_sql`: close versions the staging rows end, then insert the new ones. */
export function snapshotMergeStatements(
  spec: SnapshotSpec,
  target: string,
  staging: string,
  insertColumns: readonly string[],
): { readonly close: string; readonly insert: string } {
  const names = spec.columnNames;
  const current =
    spec.validToCurrent === undefined
      ? `${target}.${names.dbt_valid_to} is null`
      : `(${target}.${names.dbt_valid_to} = ${spec.validToCurrent} or ${target}.${names.dbt_valid_to} is null)`;
  const close = `update ${target}
    set ${names.dbt_valid_to} = DBT_INTERNAL_SOURCE.${names.dbt_valid_to}
    from ${staging} as DBT_INTERNAL_SOURCE
    where DBT_INTERNAL_SOURCE.${names.dbt_scd_id}::text = ${target}.${names.dbt_scd_id}::text
      and DBT_INTERNAL_SOURCE.dbt_change_type::text in ('update'::text, 'delete'::text)
      and ${current}`;
  const columns = insertColumns.join(", ");
  const insert = `insert into ${target} (${columns})
    select ${insertColumns.map((column) => `DBT_INTERNAL_SOURCE.${column}`).join(", ")}
    from ${staging} as DBT_INTERNAL_SOURCE
    where DBT_INTERNAL_SOURCE.dbt_change_type::text = 'insert'::text`;
  return { close, insert };
}
