import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TemplateEnvironment } from "../src/template-environment.js";
import { renderScope } from "./fixtures.js";

// Regression: a macro that called another macro of the same file which ended with
// `{{ return(x) }}` got x as its own return value when called by name (the returned value
// escaped past the callee), and when called through the package namespace its later
// `{% set %}`s were lost (undefined on read). dbt_date's is_between does the latter.
// Expected outputs are what dbt (Jinja2 3.1) renders.

const scope = renderScope("models/m.sql", "m");

const source = `{% macro twice(x) %}{% if x is number %}{{ return(x * 2) }}{% endif %}{{ return(0) }}{% endmacro %}
{% macro by_name(a, b) %}
  {% set first = twice(a) %}
  {% set second = twice(b) %}
  {{ return([first, second, first + second]) }}
{% endmacro %}
{% macro by_namespace(a, b) %}
  {% set first = shop_macros.twice(a) %}
  {% set second = shop_macros.twice(b) %}
  {{ return([first, second]) }}
{% endmacro %}
{% macro through_caller() %}{% call wrap() %}{{ return('from the call body') }}{% endcall %}{{ return('after') }}{% endmacro %}
{% macro wrap() %}[{{ caller() }}]{% endmacro %}`;

// The last field: the case reads the package namespace, so it runs with the file in a package.
const cases: [template: string, expected: string, inPackageOnly?: true][] = [
  ["{{ by_name(1, 2) }}", "[2, 4, 6]"],
  ["{{ by_namespace(3, 'x') }}", "[6, 0]", true],
  ["{{ shop_macros.by_namespace(5, 6) }}", "[10, 12]", true],
  // dbt catches a return at the innermost macro running: one in a {% call %} body ends the
  // macro that called caller() (wrap), and through_caller goes on to its own return.
  ["{{ through_caller() }}", "after"],
];

describe("a macro returning to another macro of its file", () => {
  for (const packageName of [undefined, "shop_macros"]) {
    it(packageName === undefined ? "in the project" : "in a package", () => {
      const environment = new TemplateEnvironment([{ path: "macros/twice.sql", source, package: packageName }]);
      for (const [template, expected, inPackageOnly] of cases) {
        if (packageName === undefined && inPackageOnly) continue;
        const rendered = environment.render(environment.compile("models/m.sql", template), scope);
        assert.equal(rendered, expected, template);
      }
    });
  }
});
