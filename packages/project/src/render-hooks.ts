import type { RenderScope, TemplateEnvironment } from "./template-environment.js";
import type { RenderedHook } from "./types.js";

/**
 * Renders hooks (unrendered SQL strings, in run order), each in a fresh scope, and labels them
 * `<kind> <n>`. A hook that renders to nothing but whitespace is left out, as dbt skips it.
 * `scope(where)` builds the scope; `where` (`<file> (<kind> <n>)`) locates template errors so
 * the user can tell which hook broke.
 */
export function renderHooks(
  environment: TemplateEnvironment,
  file: string,
  kind: string,
  hooks: readonly string[] | undefined,
  scope: (where: string) => RenderScope,
  variables: Readonly<Record<string, unknown>> = {},
): RenderedHook[] {
  const rendered: RenderedHook[] = [];
  (hooks ?? []).forEach((hook, i) => {
    const label = `${kind} ${i + 1}`;
    const where = `${file} (${label})`;
    const hookScope = scope(where);
    const sql = withAdapterStatements(
      hookScope.adapterStatements ?? [],
      environment.render(environment.compile(where, hook), hookScope, variables),
    );
    if (sql.trim() !== "") rendered.push({ label, sql });
  });
  return rendered;
}

/**
 * `sql` preceded by what the render queued through `adapter.drop_relation` and its peers: dbt
 * runs those while rendering, so before the rendered SQL.
 */
export function withAdapterStatements(statements: readonly string[], sql: string): string {
  return statements.length === 0 ? sql : [...statements.map((statement) => `${statement};`), sql].join("\n");
}
