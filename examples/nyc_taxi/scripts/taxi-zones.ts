import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One TLC taxi zone, the lookup that `pu_location_id` / `do_location_id` reference. */
export interface TaxiZone {
  readonly locationId: number;
  readonly borough: string;
  readonly zone: string;
}

/** The example's copy of the TLC zone lookup (263 rows, 260 distinct location ids). */
export const taxiZonesCsvPath = fileURLToPath(new URL("../data/taxi_zones.csv", import.meta.url));

/** Zones of the airports: long trips, flat fares, airport fees. */
export const airportZones = { newark: 1, jfk: 132, laGuardia: 138 } as const;

/**
 * Parses `location_id,borough,zone` CSV text into one zone per location id. The TLC file
 * comes from the zone shapefile, one row per polygon, so ids 56 (Corona) and 103 (the
 * islands) repeat; the first row of an id wins. The file has no quoted fields; a quote is
 * rejected rather than half-parsed, so a changed file fails loudly.
 */
export function parseTaxiZonesCsv(text: string): TaxiZone[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines[0]?.trim() !== "location_id,borough,zone") {
    throw new Error(`unexpected taxi zones header: ${lines[0]}`);
  }
  const zones = new Map<number, TaxiZone>();
  lines.slice(1).forEach((line, index) => {
    const fields = line.split(",");
    if (line.includes('"') || fields.length !== 3) {
      throw new Error(`taxi zones line ${index + 2}: expected 3 unquoted fields, got "${line}"`);
    }
    const [id, borough, zone] = fields as [string, string, string];
    const locationId = Number(id);
    if (!zones.has(locationId)) zones.set(locationId, { locationId, borough, zone });
  });
  return [...zones.values()];
}

/** Reads and parses the zone lookup; default: the example's `data/taxi_zones.csv`. */
export function readTaxiZones(path: string = taxiZonesCsvPath): TaxiZone[] {
  return parseTaxiZonesCsv(readFileSync(path, "utf8"));
}

// Zones that account for most real yellow-cab pickups (Midtown, Upper East Side, Penn Station,
// Times Square, …), from TLC's published top-zone tables. They get a boost on top of their
// borough's weight.
const busyZones = new Set([
  237, 236, 161, 186, 162, 230, 142, 170, 163, 239, 234, 68, 141, 48, 79, 249, 107, 140, 100, 113, 164, 43, 229, 137,
  263, 238, 90, 233,
]);

// Relative pickup weight per borough; yellow cabs mostly pick up in Manhattan and at airports.
const pickupBoroughWeight: Readonly<Record<string, number>> = {
  Manhattan: 10,
  Queens: 0.4,
  Brooklyn: 0.6,
  Bronx: 0.15,
  "Staten Island": 0.02,
  EWR: 0.02,
};

// Drop-offs spread further out: people ride home to Brooklyn and Queens.
const dropoffBoroughWeight: Readonly<Record<string, number>> = {
  Manhattan: 10,
  Queens: 0.9,
  Brooklyn: 1.6,
  Bronx: 0.4,
  "Staten Island": 0.05,
  EWR: 1,
};

/** Pickup weight of a zone: borough weight, boosted for busy zones and JFK / LaGuardia. */
export function pickupWeight(zone: TaxiZone): number {
  if (zone.locationId === airportZones.jfk) return 120;
  if (zone.locationId === airportZones.laGuardia) return 80;
  return (pickupBoroughWeight[zone.borough] ?? 0.1) * (busyZones.has(zone.locationId) ? 6 : 1);
}

/** Drop-off weight of a zone: flatter than pickups, airports still popular. */
export function dropoffWeight(zone: TaxiZone): number {
  if (zone.locationId === airportZones.jfk) return 40;
  if (zone.locationId === airportZones.laGuardia) return 45;
  return (dropoffBoroughWeight[zone.borough] ?? 0.1) * (busyZones.has(zone.locationId) ? 3 : 1);
}
