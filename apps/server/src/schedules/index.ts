export type { RunningSchedules, SchedulesOptions } from "./start-schedules.js";
export { startSchedules } from "./start-schedules.js";
