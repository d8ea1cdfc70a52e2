import assert from "node:assert/strict";
import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { describe, it } from "node:test";
import { loadProject, renderModel, type Target } from "@almanac/project";
import { fixtureVariant } from "./fixtures.js";

const target: Target = { name: "dev", schema: "analytics", type: "postgres" };

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

const packagesYml = "packages:\n  - package: acme/acme_utils\n    version: 1.0.0\n";

/** A package as `dbt deps` installs one: a folder named after its project, with macros. */
const acmeUtils = {
  "dbt_packages/acme_utils/dbt_project.yml": "name: acme_utils\nmacro-paths: ['macros']\n",
  "dbt_packages/acme_utils/macros/sql.sql": [
    "{% macro safe_divide(a, b) %}{{ return(adapter.dispatch('safe_divide', 'acme_utils')(a, b)) }}{% endmacro %}",
    "{% macro default__safe_divide(a, b) %}({{ a }} / nullif({{ b }}, 0)){% endmacro %}",
    "{% macro greeting() %}package{% endmacro %}",
  ].join("\n"),
};

describe("dbt packages", () => {
  it("packages.yml without dbt_packages/ is a clear error that says to run dbt deps", async () => {
    const variant = await fixtureVariant("dbt-style", { "packages.yml": packagesYml });
    try {
      await assert.rejects(loadProject(variant.dir), {
        code: "ALMANAC_BAD_PROJECT_CONFIG",
        message:
          "packages.yml lists acme_utils but dbt_packages/ does not exist: run `dbt deps` once to install them (Almanac loads installed packages, it does not download them)",
      });
      await write(variant.dir, { "dbt_packages/other/dbt_project.yml": "name: other\n" });
      await assert.rejects(loadProject(variant.dir), {
        message: "packages.yml lists acme_utils, which dbt_packages/ does not have: run `dbt deps` to install it",
      });
    } finally {
      await variant.remove();
    }
  });

  it("an installed package's macros are global and namespaced; the project's own macro wins; unreadable files are skipped with a warning", async () => {
    const variant = await fixtureVariant("dbt-style", { "packages.yml": packagesYml });
    try {
      await write(variant.dir, {
        ...acmeUtils,
        "dbt_packages/acme_utils/macros/broken.sql": "{% macro broken() %}{{ x | nosuchfilter }}{% endmacro %}{% if %}",
        "macros/greeting.sql": "{% macro greeting() %}project{% endmacro %}",
        "models/uses_package.sql":
          "select {{ safe_divide('a', 'b') }} as r, {{ acme_utils.safe_divide('c', 'd') }} as s, '{{ greeting() }}' as g",
      });
      const project = await loadProject(variant.dir);
      assert.equal(
        renderModel(project, "uses_package", { target, isIncremental: false }).sql,
        "select (a / nullif(b, 0)) as r, (c / nullif(d, 0)) as s, 'project' as g",
      );
      assert.ok(
        project.warnings.some((w) => w.startsWith("dbt_packages/acme_utils/macros/broken.sql:")),
        project.warnings.join("\n"),
      );
    } finally {
      await variant.remove();
    }
  });

  it("a package is found by the name in its own dbt_project.yml: git packages under their project name, local: ../x as a link", async () => {
    const variant = await fixtureVariant("dbt-style", {});
    const shared = `${variant.dir}-house`;
    try {
      await write(variant.dir, {
        "packages.yml": [
          "packages:",
          "  - git: https://example.com/acme/acme-sql-utils.git",
          "    revision: main",
          `  - local: ../${basename(shared)}`,
        ].join("\n"),
        ...acmeUtils,
        "models/uses_both.sql": "select {{ acme_utils.greeting() }} as a, '{{ house.motto() }}' as b",
      });
      await write(shared, {
        "dbt_project.yml": "name: house\n",
        "macros/motto.sql": "{% macro motto() %}keep it simple{% endmacro %}",
      });
      // `dbt deps` installs `local:` packages as a symbolic link named after the linked project.
      await symlink(shared, join(variant.dir, "dbt_packages/house"));
      const project = await loadProject(variant.dir);
      assert.equal(
        renderModel(project, "uses_both", { target, isIncremental: false }).sql,
        "select package as a, 'keep it simple' as b",
      );
      await rm(join(variant.dir, "dbt_packages/house"));
      await assert.rejects(loadProject(variant.dir), {
        message: "packages.yml lists house, which dbt_packages/ does not have: run `dbt deps` to install it",
      });
    } finally {
      await variant.remove();
      await rm(shared, { recursive: true, force: true });
    }
  });

  it("a package's own packages.yml must be installed too (transitive packages)", async () => {
    const variant = await fixtureVariant("dbt-style", { "packages.yml": packagesYml });
    try {
      await write(variant.dir, {
        ...acmeUtils,
        "dbt_packages/acme_utils/packages.yml": 'packages:\n  - package: acme/acme_core\n    version: [">=1.0.0"]\n',
      });
      await assert.rejects(loadProject(variant.dir), {
        code: "ALMANAC_BAD_PROJECT_CONFIG",
        message:
          "dbt_packages/acme_utils/packages.yml lists acme_core, which dbt_packages/ does not have: run `dbt deps` to install it",
      });
      await write(variant.dir, {
        "dbt_packages/acme_core/dbt_project.yml": "name: acme_core\n",
        "dbt_packages/acme_core/macros/one.sql": "{% macro one() %}1{% endmacro %}",
        "models/uses_core.sql": "select {{ acme_core.one() }} as one",
      });
      const project = await loadProject(variant.dir);
      assert.equal(renderModel(project, "uses_core", { target, isIncremental: false }).sql, "select 1 as one");
    } finally {
      await variant.remove();
    }
  });

  it("the root project's macros are also under its name, as dbt's integration projects call them", async () => {
    const variant = await fixtureVariant("dbt-style", { "packages.yml": packagesYml });
    try {
      await write(variant.dir, {
        ...acmeUtils,
        "macros/dates.sql": "{% macro test_dates_sql() %}select 1 as one{% endmacro %}",
        // The fixture project is named shop.
        "models/namespaced.sql": "{{ shop.test_dates_sql() }}",
      });
      const project = await loadProject(variant.dir);
      assert.equal(renderModel(project, "namespaced", { target, isIncremental: false }).sql, "select 1 as one");
    } finally {
      await variant.remove();
    }
  });

  it("adapter.dispatch searches the root project then the namespace, or the root's dispatch: search_order", async () => {
    const model = "select {{ acme_utils.safe_divide('a', 'b') }} as r";
    const override = "{% macro default__safe_divide(a, b) %}({{ a }}::numeric / {{ b }}){% endmacro %}";
    const variant = await fixtureVariant("dbt-style", { "packages.yml": packagesYml });
    try {
      await write(variant.dir, { ...acmeUtils, "macros/safe_divide.sql": override, "models/divides.sql": model });
      let project = await loadProject(variant.dir);
      // dbt's default search order for a package's namespace is [root project, package].
      assert.equal(
        renderModel(project, "divides", { target, isIncremental: false }).sql,
        "select (a::numeric / b) as r",
      );
      const dbtProject = await readFile(join(variant.dir, "dbt_project.yml"), "utf8");
      await write(variant.dir, {
        "dbt_project.yml": `${dbtProject}\ndispatch:\n  - macro_namespace: acme_utils\n    search_order: ['acme_utils']\n`,
      });
      project = await loadProject(variant.dir);
      assert.equal(
        renderModel(project, "divides", { target, isIncremental: false }).sql,
        "select (a / nullif(b, 0)) as r",
      );
      await write(variant.dir, { "dbt_project.yml": `${dbtProject}\ndispatch:\n  - search_order: ['acme_utils']\n` });
      await assert.rejects(loadProject(variant.dir), {
        code: "ALMANAC_BAD_PROJECT_CONFIG",
        message: /dbt_project\.yml.*dispatch\[0\]\.macro_namespace is required/,
      });
    } finally {
      await variant.remove();
    }
  });

  it("a package's enabled models are assets with the package's vars and config, which the root project overrides", async () => {
    const variant = await fixtureVariant("dbt-style", { "packages.yml": packagesYml });
    try {
      await write(variant.dir, {
        ...acmeUtils,
        "dbt_packages/acme_utils/dbt_project.yml": [
          "name: acme_utils",
          "vars:",
          "  acme_days: 7",
          "  acme_label: package",
          "models:",
          "  acme_utils:",
          "    +materialized: table",
          "    +schema: acme",
          "    legacy:",
          "      +enabled: false",
        ].join("\n"),
        "dbt_packages/acme_utils/models/acme_calendar.sql":
          "select generate_series(1, {{ var('acme_days') }}) as day, '{{ var('acme_label') }}' as label",
        "dbt_packages/acme_utils/models/legacy/acme_old.sql": "select 1",
        "dbt_packages/acme_utils/seeds/acme_codes.csv": "code,label\n1,one\n",
        "models/uses_calendar.sql": "select * from {{ ref('acme_utils', 'acme_calendar') }}",
      });
      const dbtProject = await readFile(join(variant.dir, "dbt_project.yml"), "utf8");
      await write(variant.dir, {
        "dbt_project.yml": `${dbtProject}\nvars:\n  acme_utils:\n    acme_days: 3\n`,
      });
      const project = await loadProject(variant.dir);
      const calendar = project.models.get("acme_calendar");
      assert.equal(calendar?.path, "dbt_packages/acme_utils/models/acme_calendar.sql");
      assert.equal(calendar?.package, "acme_utils");
      assert.equal(calendar?.config.materialized, "table");
      assert.equal(project.models.has("acme_old"), false);
      assert.deepEqual(project.models.get("uses_calendar")?.refs, ["acme_calendar"]);
      assert.equal(project.seeds.get("acme_codes")?.path, "dbt_packages/acme_utils/seeds/acme_codes.csv");
      const rendered = renderModel(project, "acme_calendar", { target, isIncremental: false });
      assert.equal(rendered.sql, "select generate_series(1, 3) as day, 'package' as label");
      // The fixture's generate_schema_name uses a custom schema as it is.
      assert.deepEqual(rendered.relation, { schema: "acme", identifier: "acme_calendar" });
    } finally {
      await variant.remove();
    }
  });
});
