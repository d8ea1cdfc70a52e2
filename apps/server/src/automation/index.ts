export type { AutomationOptions, RunningAutomation } from "./start-automation.js";
export { startAutomation } from "./start-automation.js";
