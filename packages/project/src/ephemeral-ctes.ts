import { ephemeralCteName } from "./relation.js";

/** An ephemeral model rendered for inlining: its name and its SELECT. */
export interface EphemeralCte {
  readonly name: string;
  readonly sql: string;
}

// Whitespace and SQL comments that may precede the first keyword of a statement.
const leadingTrivia = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;
const leadingWith = /^with(?:\s+recursive)?\b/i;

/** The ephemeral's SQL as a CTE body: no trailing `;`, which would end the outer statement. */
function cteBody(sql: string): string {
  return sql.trim().replace(/;\s*$/, "");
}

/**
 * Inlines ephemeral models the way dbt does: `__dbt__cte__<name> as (…)` entries go right after
 * the statement's leading `with` (before the model's own CTEs), or a `with …` is prepended
 * when the model has none. Leading comments stay on top; `ctes` must already be in dependency
 * order (an ephemeral before the ones that read it).
 *
 * `with a as (select 1) select * from a` + [x] →
 * `with __dbt__cte__x as (\n<x>\n), a as (select 1) select * from a`
 */
export function injectCtes(sql: string, ctes: readonly EphemeralCte[]): string {
  if (ctes.length === 0) return sql;
  const definitions = ctes.map((cte) => `${ephemeralCteName(cte.name)} as (\n${cteBody(cte.sql)}\n)`).join(", ");
  const triviaLength = leadingTrivia.exec(sql)?.[0].length ?? 0;
  const head = sql.slice(0, triviaLength);
  const statement = sql.slice(triviaLength);
  const withClause = leadingWith.exec(statement);
  if (withClause) {
    const rest = statement.slice(withClause[0].length);
    return `${head}${withClause[0]} ${definitions},${rest}`;
  }
  return `${head}with ${definitions}\n${statement}`;
}

/**
 * Collects the ephemeral models a render needs, dependencies first and each once: `direct`
 * are the ephemerals the model refs; `render(name)` renders one and reports the ephemerals it
 * refs in turn (nested ephemerals become sibling CTEs, as in dbt, not nested ones).
 */
export function collectEphemeralCtes(
  direct: readonly string[],
  render: (name: string) => { sql: string; ephemerals: readonly string[] },
): EphemeralCte[] {
  const ordered: EphemeralCte[] = [];
  const visited = new Set<string>();
  const visit = (name: string): void => {
    if (visited.has(name)) return;
    // Marked before recursing; the DAG was checked for cycles at load, so this only guards.
    visited.add(name);
    const rendered = render(name);
    for (const inner of rendered.ephemerals) visit(inner);
    ordered.push({ name, sql: rendered.sql });
  };
  for (const name of direct) visit(name);
  return ordered;
}
