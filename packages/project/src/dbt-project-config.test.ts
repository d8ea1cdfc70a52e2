import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { folderConfig, parseDbtProjectConfig } from "./dbt-project-config.js";
import { YamlFile } from "./yaml-file.js";

const text = `
name: shop
model-paths: ["./models/", "more"]
vars:
  region: world
  shop:
    region: eu
models:
  +persist_docs: {relation: true}
  other_package:
    +materialized: table
  shop:
    +materialized: view
    +tags: shop
    staging:
      +schema: staging
      materialized: view
      orders:
        +materialized: table
    marts:
      +materialized: table
      finance:
        +tags: [finance]
        +materialized: incremental
`;

describe("parseDbtProjectConfig", () => {
  const config = parseDbtProjectConfig(YamlFile.parse("dbt_project.yml", text));

  it("reads name, paths with defaults, and project-scoped vars", () => {
    assert.equal(config.name, "shop");
    assert.deepEqual(config.modelPaths, ["models", "more"]);
    assert.deepEqual(config.macroPaths, ["macros"]);
    assert.deepEqual(config.vars, { region: "eu" });
  });

  it("nested folders inherit and override; tags accumulate; other packages are ignored", () => {
    assert.deepEqual(folderConfig(config.models, ["marts", "finance", "revenue"]), {
      persist_docs: { relation: true },
      materialized: "incremental",
      tags: ["shop", "finance"],
    });
    assert.deepEqual(folderConfig(config.models, ["staging", "customers"]), {
      persist_docs: { relation: true },
      materialized: "view",
      tags: ["shop"],
      schema: "staging",
    });
  });

  it("a model name under a folder configures that one model", () => {
    assert.equal(folderConfig(config.models, ["staging", "orders"]).materialized, "table");
  });

  it("a model at the root gets the project-level config", () => {
    assert.equal(folderConfig(config.models, ["top"]).materialized, "view");
  });

  const invalid: [string, string][] = [
    ["version: 2", "dbt_project.yml: name is required"],
    ["name: x\nmodel-paths: []", "dbt_project.yml: model-paths must be a list of folder paths, got []"],
    ["name: x\nmodels:\n  x: [1]", "dbt_project.yml: models.x must be a mapping of +config keys and sub-folders"],
    ["name: x\nvars: [1]", "dbt_project.yml: vars must be a mapping of name: value"],
  ];
  for (const [yaml, message] of invalid) {
    it(`rejects ${JSON.stringify(yaml)}`, () => {
      assert.throws(() => parseDbtProjectConfig(YamlFile.parse("dbt_project.yml", yaml)), {
        code: "ALMANAC_BAD_PROJECT_CONFIG",
        message,
      });
    });
  }
});
