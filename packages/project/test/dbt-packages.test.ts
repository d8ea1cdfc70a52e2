import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
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
        "dbt_packages/acme_utils/dbt_project.yml": "name: acme_utils\nmacro-paths: ['macros']\n",
        "dbt_packages/acme_utils/macros/sql.sql": [
          "{% macro safe_divide(a, b) %}{{ return(adapter.dispatch('safe_divide', 'acme_utils')(a, b)) }}{% endmacro %}",
          "{% macro default__safe_divide(a, b) %}({{ a }} / nullif({{ b }}, 0)){% endmacro %}",
          "{% macro greeting() %}package{% endmacro %}",
        ].join("\n"),
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
});
