import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { definePartitions } from "./define-partitions.js";
import type { PartitionsDefinitionConfig } from "./types.js";

describe("definePartitions: defaults and accepted configs", () => {
  const cases: {
    name: string;
    config: PartitionsDefinitionConfig;
    timezone: string;
    endOffset: number;
    format: string;
    startIso: string;
    endIso?: string;
  }[] = [
    {
      name: "daily with every default",
      config: { name: "daily", type: "daily", start: "2024-01-01" },
      timezone: "UTC",
      endOffset: 0,
      format: "yyyy-MM-dd",
      startIso: "2024-01-01T00:00:00.000Z",
    },
    {
      name: "hourly default format, start given as a key",
      config: { name: "hourly", type: "hourly", start: "2024-01-01-06:00" },
      timezone: "UTC",
      endOffset: 0,
      format: "yyyy-MM-dd-HH:mm",
      startIso: "2024-01-01T06:00:00.000Z",
    },
    {
      name: "hourly start as ISO local date-time in Berlin",
      config: { name: "hourly", type: "hourly", start: "2024-03-31T03:00", timezone: "Europe/Berlin" },
      timezone: "Europe/Berlin",
      endOffset: 0,
      format: "yyyy-MM-dd-HH:mm",
      startIso: "2024-03-31T03:00:00.000+02:00",
    },
    {
      name: "weekly starting on a Sunday",
      config: { name: "weekly", type: "weekly", start: "2023-12-31" },
      timezone: "UTC",
      endOffset: 0,
      format: "yyyy-MM-dd",
      startIso: "2023-12-31T00:00:00.000Z",
    },
    {
      name: "monthly with end, end_offset and zone",
      config: {
        name: "monthly",
        type: "monthly",
        start: "2024-01-01",
        end: "2025-01-01",
        endOffset: 1,
        timezone: "America/New_York",
      },
      timezone: "America/New_York",
      endOffset: 1,
      format: "yyyy-MM-dd",
      startIso: "2024-01-01T00:00:00.000-05:00",
      endIso: "2025-01-01T00:00:00.000-05:00",
    },
    {
      name: "daily with a custom format",
      config: { name: "compact", type: "daily", start: "20240101", format: "yyyyMMdd", endOffset: -1 },
      timezone: "UTC",
      endOffset: -1,
      format: "yyyyMMdd",
      startIso: "2024-01-01T00:00:00.000Z",
    },
    {
      name: "daily whose start is a leap day",
      config: { name: "leap", type: "daily", start: "2024-02-29" },
      timezone: "UTC",
      endOffset: 0,
      format: "yyyy-MM-dd",
      startIso: "2024-02-29T00:00:00.000Z",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const def = definePartitions(c.config);
      assert.equal(def.name, c.config.name);
      assert.equal(def.type, c.config.type);
      assert.equal(def.timezone, c.timezone);
      assert.equal(def.endOffset, c.endOffset);
      assert.equal(def.format, c.format);
      assert.equal(def.start.toISO(), c.startIso);
      assert.equal(def.end?.toISO(), c.endIso);
      assert.ok(Object.isFrozen(def));
    });
  }
});

describe("definePartitions: rejected configs", () => {
  const base = { name: "daily", type: "daily", start: "2024-01-01" } as const;
  const cases: { name: string; config: Record<string, unknown>; field: string; message: RegExp }[] = [
    { name: "empty name", config: { ...base, name: "" }, field: "name", message: /name must be a non-empty string/ },
    {
      name: "unknown type",
      config: { ...base, type: "quarterly" },
      field: "type",
      message:
        /^partitions definition "daily": unknown type "quarterly" \(expected hourly, daily, weekly, monthly or yearly\)$/,
    },
    {
      name: "bad timezone",
      config: { ...base, timezone: "Mars/Olympus_Mons" },
      field: "timezone",
      message: /timezone "Mars\/Olympus_Mons" is not an IANA time zone/,
    },
    { name: "fixed offset is not a zone", config: { ...base, timezone: "+03:00" }, field: "timezone", message: /IANA/ },
    {
      name: "malformed start",
      config: { ...base, start: "yesterday" },
      field: "start",
      message: /start "yesterday" is not a date \(expected yyyy-MM-dd/,
    },
    { name: "start 2023-02-29", config: { ...base, start: "2023-02-29" }, field: "start", message: /not a date/ },
    { name: "start month 13", config: { ...base, start: "2024-13-01" }, field: "start", message: /not a date/ },
    { name: "start not a string", config: { ...base, start: 20240101 }, field: "start", message: /not a date/ },
    {
      name: "start with an offset",
      config: { ...base, start: "2024-01-01T00:00Z" },
      field: "start",
      message: /not a date/,
    },
    {
      name: "daily start not at midnight",
      config: { ...base, start: "2024-01-01T06:00" },
      field: "start",
      message: /start 2024-01-01T06:00 is not at midnight, where daily windows start \(use 2024-01-01\)/,
    },
    {
      name: "weekly start on a Wednesday",
      config: { ...base, name: "weekly", type: "weekly", start: "2024-01-03" },
      field: "start",
      message:
        /start 2024-01-03 is a Wednesday, but weekly windows start on Sunday at midnight \(use 2023-12-31 or 2024-01-07\)/,
    },
    {
      name: "weekly start on a Monday",
      config: { ...base, name: "weekly", type: "weekly", start: "2024-01-01" },
      field: "start",
      message: /is a Monday.*use 2023-12-31 or 2024-01-07/,
    },
    {
      name: "monthly start on the 15th",
      config: { ...base, name: "monthly", type: "monthly", start: "2024-01-15" },
      field: "start",
      message: /start 2024-01-15 is not the 1st of a month at midnight.*use 2024-01-01/,
    },
    {
      name: "hourly start not on the hour",
      config: { ...base, name: "hourly", type: "hourly", start: "2024-01-01T06:30" },
      field: "start",
      message: /not on the hour.*use 2024-01-01-06:00/,
    },
    {
      name: "hourly start skipped by DST",
      config: { ...base, name: "hourly", type: "hourly", start: "2024-03-10T02:00", timezone: "America/New_York" },
      field: "start",
      message: /start 2024-03-10T02:00 does not exist in America\/New_York/,
    },
    {
      name: "end equal to start",
      config: { ...base, end: "2024-01-01" },
      field: "end",
      message: /end 2024-01-01 must be after start 2024-01-01/,
    },
    { name: "end before start", config: { ...base, end: "2023-06-01" }, field: "end", message: /must be after start/ },
    { name: "malformed end", config: { ...base, end: "soon" }, field: "end", message: /end "soon" is not a date/ },
    {
      name: "fractional end_offset",
      config: { ...base, endOffset: 0.5 },
      field: "end_offset",
      message: /end_offset 0.5 must be an integer/,
    },
    {
      name: "string end_offset",
      config: { ...base, endOffset: "1" },
      field: "end_offset",
      message: /must be an integer/,
    },
    {
      name: "format without the day",
      config: { ...base, format: "yyyy-MM" },
      field: "format",
      message: /format "yyyy-MM" does not print the day of a daily window/,
    },
    {
      name: "hourly format without the hour",
      config: { ...base, name: "hourly", type: "hourly", format: "yyyy-MM-dd" },
      field: "format",
      message: /does not print the hour/,
    },
    { name: "empty format", config: { ...base, format: "" }, field: "format", message: /does not print/ },
    {
      name: "format that cannot read its keys back",
      config: { ...base, start: "1924-01-01", format: "yy-MM-dd" },
      field: "format",
      message: /format "yy-MM-dd" does not round-trip: the window starting 1924-01-01T00:00:00 prints "24-01-01"/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(() => definePartitions(c.config as unknown as PartitionsDefinitionConfig), {
        name: "AlmanacError",
        code: "ALMANAC_BAD_PARTITIONS_DEFINITION",
        message: c.message,
      });
      try {
        definePartitions(c.config as unknown as PartitionsDefinitionConfig);
      } catch (error) {
        const details = (error as { details: Record<string, unknown> }).details;
        assert.equal(details.field, c.field);
        assert.equal(details.definition, c.config.name);
        assert.doesNotMatch((error as Error).message, /\n/);
      }
    });
  }
});
