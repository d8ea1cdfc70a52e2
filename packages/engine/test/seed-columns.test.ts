import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { loadSeeds } from "@almanac/engine";
import { writeProject } from "@almanac/testing";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

const files: Record<string, string> = {
  "dbt_project.yml": [
    "name: quoting_shop",
    "seeds:",
    "  quoting_shop:",
    "    unquoted:",
    "      +quote_columns: false",
    "      +column_types: { Full_Name: varchar(20) }",
  ].join("\n"),
  "seeds/unquoted/folded_people.csv": "Id,Full_Name\n1,Ann Lee\n",
  "seeds/quoted_people.csv": "Id,Full_Name,Note\n1,Ann Lee,\n",
};

async function columnsOf(fixture: EngineFixture, table: string): Promise<string[]> {
  const rows = await fixture.query<{ c: string }>(
    `select column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '') as c
       from information_schema.columns where table_schema = 'public' and table_name = $1 order by ordinal_position`,
    [table],
  );
  return rows.map((row) => row.c);
}

describe("seed columns: names and inferred types", () => {
  let dir: string;
  let fixture: EngineFixture;

  before(async () => {
    dir = await writeProject("seed-quoting", files);
    fixture = await engineFixture(dir);
  });
  after(async () => {
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("quote_columns: false folds the header to lower case as unquoted names are; the default keeps it as written", async () => {
    await loadSeeds(fixture.ctx, []);
    // column_types still names the column as the header writes it.
    assert.deepEqual(await columnsOf(fixture, "folded_people"), ["id integer", "full_name character varying(20)"]);
    // A column with no values is an integer, as dbt's type tester decides.
    assert.deepEqual(await columnsOf(fixture, "quoted_people"), ["Id integer", "Full_Name text", "Note integer"]);
    assert.deepEqual(await fixture.query("select id, full_name from public.folded_people"), [
      { id: 1, full_name: "Ann Lee" },
    ]);
  });
});
