import { AlmanacError } from "@almanac/errors";
import type { PartitionsDefinition } from "@almanac/partitions";
import type { Project, ScheduleConfig } from "@almanac/project";
import { listScheduleStates, type StoreDb } from "@almanac/store";

/** A schedule of almanac.yml with its partitions definition resolved. */
export interface ResolvedSchedule {
  readonly schedule: ScheduleConfig;
  readonly partitions: PartitionsDefinition;
}

/**
 * The schedule named `name` in almanac.yml.
 *
 * @throws AlmanacError `ALMANAC_UNKNOWN_SCHEDULE` (404) naming the schedules that exist.
 */
export function findSchedule(project: Project, name: string): ResolvedSchedule {
  const schedule = project.schedules.find((s) => s.name === name);
  if (!schedule) {
    const known = project.schedules.map((s) => s.name);
    const listed = known.length === 0 ? "almanac.yml defines none" : `defined: ${known.join(", ")}`;
    throw new AlmanacError("ALMANAC_UNKNOWN_SCHEDULE", `no schedule named ${JSON.stringify(name)} (${listed})`, {
      schedule: name,
    });
  }
  // Project loading checked that the definition exists; a miss here is a bug, not bad input.
  const partitions = project.partitions.get(schedule.partitions);
  if (!partitions) throw new Error(`schedule ${name}: partitions definition ${schedule.partitions} is not loaded`);
  return { schedule, partitions };
}

/**
 * Whether each schedule is on: its stored switch (`schedule_states`), else on — a schedule in
 * almanac.yml runs until someone turns it off, and stays off across restarts.
 */
export async function scheduleSwitches(db: StoreDb): Promise<(name: string) => boolean> {
  const states = new Map((await listScheduleStates(db)).map((row) => [row.scheduleName, row.enabled]));
  return (name) => states.get(name) ?? true;
}
