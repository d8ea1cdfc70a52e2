import { AlmanacError, isAlmanacError } from "@almanac/errors";
import type { TimeWindowMapping } from "@almanac/partitions";
import type { AlmanacConfig, AutomationPolicy } from "./almanac-config.js";
import type { FreshnessPolicy } from "./freshness-config.js";
import { selectModels } from "./select-models.js";
import type { BackfillPolicy, Model, Project } from "./types.js";
import type { YamlFile, YamlPath } from "./yaml-file.js";

/** Models with almanac.yml partitions applied, and what the rules set besides. */
export interface AssetRuleOutcome {
  readonly models: Map<string, Model>;
  readonly backfillPolicies: Map<string, BackfillPolicy>;
  /** Asset → upstream → mapping, from the rules' `deps:` (checked: each names what the asset reads). */
  readonly partitionMappings: Map<string, Map<string, TimeWindowMapping>>;
  /** Asset → its rule's `automation:` (the first rule that sets one wins). */
  readonly automation: Map<string, AssetAutomation>;
  /** Asset → its freshness policy, from the first rule that selects it with `freshness:`. */
  readonly freshness: Map<string, FreshnessPolicy>;
  readonly warnings: string[];
}

/** An asset's automation and the rule that set it (`assets[rule].automation`, for messages). */
export interface AssetAutomation {
  readonly policy: AutomationPolicy;
  readonly rule: number;
}

/**
 * Runs a selection from almanac.yml. A selector that is malformed or names an unknown model is
 * a config error at `keyPath`; one that matches nothing is only a warning, so a rule written
 * ahead of its models does not stop the project from loading.
 */
function selectFromConfig(
  project: Project,
  file: YamlFile,
  keyPath: YamlPath,
  selector: string,
  warnings: string[],
): string[] {
  try {
    return selectModels(project, selector);
  } catch (error) {
    if (!isAlmanacError(error)) throw error;
    const where = keyPath
      .map((key) => (typeof key === "number" ? `[${key}]` : `.${key}`))
      .join("")
      .slice(1);
    if (error.code === "ALMANAC_EMPTY_SELECTION") {
      warnings.push(`${file.path}: ${where} "${selector}" matches no model`);
      return [];
    }
    throw file.error(keyPath, `${where}: ${error.message}`, "ALMANAC_BAD_PROJECT_CONFIG", error);
  }
}

/**
 * Applies almanac.yml `assets:` to the loaded models: each rule's selection is partitioned by
 * its definition unless the model's own config names partitions (config wins, with a warning
 * when they differ). Ephemeral models are skipped: they are never materialized. A model put
 * in two different definitions by two rules is an error naming both rules.
 */
export function applyAssetRules(
  project: Project,
  almanac: AlmanacConfig,
  file: YamlFile | undefined,
): AssetRuleOutcome {
  const models = new Map(project.models);
  const backfillPolicies = new Map<string, BackfillPolicy>();
  // Asset → upstream → the mapping and the index of the rule that set it (for messages).
  const mapped = new Map<string, Map<string, { mapping: TimeWindowMapping; rule: number }>>();
  const automation = new Map<string, AssetAutomation>();
  const freshness = new Map<string, FreshnessPolicy>();
  const warnings: string[] = [];
  if (file === undefined)
    return { models, backfillPolicies, partitionMappings: new Map(), automation, freshness, warnings };
  const assignedBy = new Map<string, number>();
  for (const rule of almanac.assets) {
    const selected = selectFromConfig(project, file, ["assets", rule.index, "select"], rule.select, warnings);
    for (const name of selected) {
      const model = models.get(name);
      // Snapshots keep one history of their whole select: never partitioned.
      if (model === undefined || model.config.materialized === "ephemeral" || model.config.materialized === "snapshot")
        continue;
      if (rule.automation && !automation.has(name)) automation.set(name, { policy: rule.automation, rule: rule.index });
      // Every rule partitions what it selects, so an asset with freshness always has windows to
      // measure lag from (ephemeral models and snapshots, never partitioned, were skipped above).
      if (rule.freshness && !freshness.has(name)) freshness.set(name, rule.freshness);
      for (const [upstream, mapping] of rule.deps ?? []) {
        const mappings = mapped.get(name) ?? new Map();
        if (!mappings.has(upstream)) mappings.set(upstream, { mapping, rule: rule.index });
        mapped.set(name, mappings);
      }
      if (rule.partitions === undefined) continue;
      const own = project.models.get(name)?.config.partitions;
      if (own !== undefined) {
        if (own !== rule.partitions) {
          warnings.push(
            `${model.path}: config partitions="${own}" wins over almanac.yml assets[${rule.index}] (${rule.partitions})`,
          );
        } else if (rule.backfillPolicy && !backfillPolicies.has(name)) {
          backfillPolicies.set(name, rule.backfillPolicy);
        }
        continue;
      }
      const earlier = assignedBy.get(name);
      if (earlier !== undefined) {
        const previous = model.config.partitions;
        if (previous !== rule.partitions) {
          throw new AlmanacError(
            "ALMANAC_BAD_PROJECT_CONFIG",
            `${file.path}: assets[${rule.index}] puts model "${name}" in partitions "${rule.partitions}" but assets[${earlier}] already put it in "${previous}"`,
            { file: file.path, line: file.lineOf(["assets", rule.index]), asset: name },
          );
        }
      } else {
        assignedBy.set(name, rule.index);
        models.set(name, { ...model, config: Object.freeze({ ...model.config, partitions: rule.partitions }) });
      }
      if (rule.backfillPolicy && !backfillPolicies.has(name)) backfillPolicies.set(name, rule.backfillPolicy);
    }
  }
  const partitionMappings = new Map<string, Map<string, TimeWindowMapping>>();
  for (const [name, mappings] of mapped) {
    for (const [upstream, { mapping, rule }] of mappings) {
      checkMapping(models, file, ["assets", rule, "deps", upstream], name, upstream, mapping);
    }
    partitionMappings.set(name, new Map([...mappings].map(([upstream, { mapping }]) => [upstream, mapping])));
  }
  return { models, backfillPolicies, partitionMappings, automation, freshness, warnings };
}

/**
 * A mapping must name a partitioned model the asset reads, or the asset itself looking back
 * (a self-dependency on the same partition would be a cycle).
 */
function checkMapping(
  models: ReadonlyMap<string, Model>,
  file: YamlFile,
  at: YamlPath,
  name: string,
  upstream: string,
  mapping: TimeWindowMapping,
): void {
  const where = `${file.path}: assets[${at[1]}].deps.${upstream}`;
  const fail = (why: string) =>
    new AlmanacError("ALMANAC_BAD_PROJECT_CONFIG", `${where}: ${why}`, {
      file: file.path,
      line: file.lineOf(at),
      asset: name,
      upstream,
    });
  const model = models.get(name);
  if (model?.config.partitions === undefined)
    throw fail(`model "${name}" is not partitioned, so it maps no partitions`);
  if (upstream === name) {
    if (mapping.endOffset >= 0) {
      throw fail(
        `"${name}" depends on itself, so it can only read earlier partitions: end_offset must be below 0, got ${mapping.endOffset}`,
      );
    }
    return;
  }
  if (!model.refs.includes(upstream)) {
    const reads = model.refs.length === 0 ? "no model" : model.refs.join(", ");
    throw fail(`model "${name}" does not read "${upstream}" (it reads ${reads}); map only what it refs, or itself`);
  }
  if (models.get(upstream)?.config.partitions === undefined) {
    throw fail(`"${upstream}" is not partitioned, so there are no partitions to map; drop the mapping`);
  }
}

/**
 * Checks each schedule's selection against the final project (so `config.partitions:` sees
 * what the asset rules assigned); returns warnings for selections that match nothing.
 */
export function checkScheduleSelections(
  project: Project,
  almanac: AlmanacConfig,
  file: YamlFile | undefined,
): string[] {
  const warnings: string[] = [];
  if (file === undefined) return warnings;
  almanac.schedules.forEach((schedule, index) => {
    selectFromConfig(project, file, ["schedules", index, "select"], schedule.select, warnings);
  });
  return warnings;
}
