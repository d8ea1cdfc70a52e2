import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeJobIdPart, encodeJobIdPart, runJobId } from "./job-ids.js";

const safeId = /^[A-Za-z0-9_.-]+$/;

describe("runJobId", () => {
  test("is the run and its attempt, without a colon", () => {
    const id = runJobId("0b5c3d1e-8f2a-4c6b-9d7e-1a2b3c4d5e6f", 2);
    assert.equal(id, "run.0b5c3d1e-8f2a-4c6b-9d7e-1a2b3c4d5e6f.2");
    assert.match(id, safeId);
  });

  test("names the same job whatever the case of the uuid", () => {
    assert.equal(
      runJobId("0B5C3D1E-8F2A-4C6B-9D7E-1A2B3C4D5E6F", 0),
      runJobId("0b5c3d1e-8f2a-4c6b-9d7e-1a2b3c4d5e6f", 0),
    );
  });

  for (const [label, runId, attempt] of [
    ["a run id that is not a uuid", "run:1", 0],
    ["an empty run id", "", 0],
    ["a negative attempt", "0b5c3d1e-8f2a-4c6b-9d7e-1a2b3c4d5e6f", -1],
    ["a fractional attempt", "0b5c3d1e-8f2a-4c6b-9d7e-1a2b3c4d5e6f", 1.5],
  ] as const) {
    test(`rejects ${label}`, () => {
      assert.throws(() => runJobId(runId, attempt), { name: "AlmanacError", code: "ALMANAC_BAD_REQUEST" });
    });
  }
});

describe("encodeJobIdPart", () => {
  const cases: [label: string, value: string, encoded: string][] = [
    ["a daily key", "2024-01-15", "2024-01-15"],
    ["an hourly key with an offset", "2024-11-03-01:00-0500", "2024-11-03-01_3A00-0500"],
    ["a positive offset", "2024-03-31-02:00+0200", "2024-03-31-02_3A00_2B0200"],
    ["an underscore, the escape character itself", "a_b", "a_5Fb"],
    ["an already-encoded-looking value", "_3A", "_5F3A"],
    ["a slash and a space", "us/east 1", "us_2Feast_201"],
    ["non-ASCII", "zürich", "z_C3_BCrich"],
    ["the empty string", "", ""],
  ];
  for (const [label, value, encoded] of cases) {
    test(`round-trips ${label}`, () => {
      assert.equal(encodeJobIdPart(value), encoded);
      assert.match(`x${encodeJobIdPart(value)}`, safeId);
      assert.equal(decodeJobIdPart(encodeJobIdPart(value)), value);
    });
  }

  test("keeps distinct values distinct", () => {
    const values = ["a:b", "a_3Ab", "a+b", "a_b", "a b"];
    assert.equal(new Set(values.map(encodeJobIdPart)).size, values.length);
  });

  test("decoding rejects what encoding never produces", () => {
    for (const bad of ["a:b", "_3", "_zz", "a+b"]) {
      assert.throws(() => decodeJobIdPart(bad), { code: "ALMANAC_BAD_REQUEST" });
    }
  });
});
