import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AlmanacError } from "@almanac/errors";
import { parse } from "csv-parse/sync";
import { didYouMean } from "./did-you-mean.js";
import { relationFor } from "./relation.js";
import { compiledEnvironment } from "./render-model.js";
import { selectModels } from "./select-models.js";
import type { Project, Relation, Seed, Target } from "./types.js";

/** One column of a seed table: its header name and the Postgres type it is created with. */
export interface SeedColumn {
  readonly name: string;
  /** Inferred (`integer`, `bigint`, `numeric`, `boolean`, `date`, `timestamp`, `text`) or from `column_types`. */
  readonly type: string;
}

/** A seed CSV read and typed, ready to load. Empty fields are NULL, as in dbt. */
export interface SeedTable {
  readonly name: string;
  readonly path: string;
  readonly relation: Relation;
  readonly columns: readonly SeedColumn[];
  readonly rows: readonly (readonly (string | null)[])[];
}

const int4 = 2_147_483_647n;
const int8 = 9_223_372_036_854_775_807n;

// Ordered from the narrowest type; a column takes the first type every non-empty value fits.
const inferences: readonly { type: string; fits: (value: string) => boolean }[] = [
  { type: "integer", fits: (v) => /^-?\d{1,10}$/.test(v) && BigInt(v) <= int4 && BigInt(v) >= -int4 - 1n },
  { type: "bigint", fits: (v) => /^-?\d{1,19}$/.test(v) && BigInt(v) <= int8 && BigInt(v) >= -int8 - 1n },
  { type: "numeric", fits: (v) => /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v) },
  { type: "boolean", fits: (v) => /^(true|false)$/i.test(v) },
  { type: "date", fits: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && validDate(v) },
  {
    type: "timestamp",
    fits: (v) => /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/.test(v) && validDate(v.slice(0, 10)),
  },
];

function validDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** The narrowest type that every non-empty value of a column fits; `text` when none does, `integer` when all are empty. */
export function inferColumnType(values: Iterable<string | null>): string {
  const candidates = [...inferences];
  let seen = false;
  for (const value of values) {
    if (value === null) continue;
    seen = true;
    for (let i = candidates.length - 1; i >= 0; i--) {
      if (!candidates[i]?.fits(value)) candidates.splice(i, 1);
    }
    if (candidates.length === 0) return "text";
  }
  // A column with no values at all is an integer, as dbt's type tester (integer first) decides.
  return seen ? (candidates[0]?.type ?? "text") : "integer";
}

/** A seed's `column_types` config (`{col: type}`), checked; types are SQL and are trusted like model SQL. */
function configuredTypes(seed: Seed): Map<string, string> {
  const value = seed.config.column_types;
  const types = new Map<string, string>();
  if (value === undefined || value === null) return types;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new AlmanacError(
      "ALMANAC_BAD_PROJECT_CONFIG",
      `seed ${seed.name}: column_types must be a mapping of column: type`,
      {
        file: seed.path,
      },
    );
  }
  for (const [column, type] of Object.entries(value)) {
    if (typeof type !== "string" || !/^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+(\s*,\s*\d+)?\s*\))?(\[\])?$/.test(type.trim())) {
      throw new AlmanacError(
        "ALMANAC_BAD_PROJECT_CONFIG",
        `seed ${seed.name}: column_types.${column} = ${JSON.stringify(type)} is not a type name like numeric(10,2) or varchar(32)`,
        { file: seed.path, column },
      );
    }
    types.set(column, type.trim());
  }
  return types;
}

/** Where seed `seed` is loaded under `target`: the schema the dbt way (`+schema` config), identifier `alias ?? name`. */
export function seedRelationOf(project: Project, seed: Seed, target: Target): Relation {
  return relationFor(target, seed.name, seed.config, compiledEnvironment(project).schemaNamer);
}

/**
 * The seeds a selection names (every seed when empty). Each term is a seed name, or a model
 * selection in dbt syntax whose models' seeds are taken: `+customers` gives the seeds
 * customers reads, directly or through its upstream models. An unknown name is
 * ALMANAC_UNKNOWN_ASSET with a did-you-mean.
 */
export function selectSeeds(project: Project, terms: readonly string[]): Seed[] {
  if (terms.length === 0) return [...project.seeds.values()];
  const selected = new Set<string>();
  for (const term of terms.flatMap((text) => text.split(/\s+/)).filter(Boolean)) {
    if (project.seeds.has(term)) {
      selected.add(term);
      continue;
    }
    const isModelSelector = /[+:,*]/.test(term) || project.models.has(term);
    if (!isModelSelector) {
      const known = [...project.seeds.keys()];
      const listed = known.length === 0 ? "the project has no seeds" : `seeds: ${known.join(", ")}`;
      throw new AlmanacError("ALMANAC_UNKNOWN_ASSET", `no seed named "${term}"${didYouMean(term, known)} (${listed})`, {
        asset: term,
      });
    }
    for (const model of selectModels(project, term)) {
      for (const seed of project.models.get(model)?.seedRefs ?? []) selected.add(seed);
    }
  }
  return [...project.seeds.values()].filter((seed) => selected.has(seed.name));
}

/**
 * Reads and types seed `seed`: the header names the columns, every row must have as many
 * fields, types are inferred per column unless `column_types` names one; with `quote_columns:
 * false` the names are folded to lower case, as Postgres folds unquoted names. A malformed file is
 * ALMANAC_BAD_SEED with `file:line`.
 */
export async function readSeed(project: Project, seed: Seed, target: Target): Promise<SeedTable> {
  const text = await readFile(join(project.dir, seed.path), "utf8");
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // `info` gives each record's line, for messages that point at the bad row.
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true }) as never;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    const where = line === undefined ? seed.path : `${seed.path}:${line}`;
    throw new AlmanacError("ALMANAC_BAD_SEED", `${where}: ${(error as Error).message}`, { file: seed.path, line });
  }
  const header = records[0]?.record;
  const body = records.slice(1);
  if (header === undefined || header.length === 0 || header.some((name) => name.trim() === "")) {
    throw new AlmanacError("ALMANAC_BAD_SEED", `${seed.path}:1: the first line must name every column`, {
      file: seed.path,
      line: 1,
    });
  }
  // `quote_columns: false` creates the columns unquoted, so Postgres folds them to lower case
  // (dbt-postgres quotes them unless told not to).
  const columnName = (name: string) => (seed.config.quote_columns === false ? name.toLowerCase() : name);
  const names = header.map((name) => columnName(name.trim()));
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) {
    throw new AlmanacError("ALMANAC_BAD_SEED", `${seed.path}:1: column "${duplicate}" appears twice`, {
      file: seed.path,
      line: 1,
    });
  }
  const rows = body.map(({ record, info }) => {
    if (record.length !== names.length) {
      const line = info.lines;
      throw new AlmanacError(
        "ALMANAC_BAD_SEED",
        `${seed.path}:${line}: ${record.length} fields, but the header names ${names.length} columns`,
        { file: seed.path, line },
      );
    }
    return record.map((field) => (field === "" ? null : field));
  });
  const configured = new Map([...configuredTypes(seed)].map(([column, type]) => [columnName(column), type]));
  for (const column of configured.keys()) {
    if (!names.includes(column)) {
      throw new AlmanacError(
        "ALMANAC_BAD_PROJECT_CONFIG",
        `seed ${seed.name}: column_types names "${column}", which ${seed.path} has no column for${didYouMean(column, names)}`,
        { file: seed.path, column },
      );
    }
  }
  const columns = names.map((name, index) => ({
    name,
    type: configured.get(name) ?? inferColumnType(rows.map((row) => row[index] ?? null)),
  }));
  return { name: seed.name, path: seed.path, relation: seedRelationOf(project, seed, target), columns, rows };
}
