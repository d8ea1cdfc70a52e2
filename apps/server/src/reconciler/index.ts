export type { Reconciler, ReconcilerOptions } from "./start-reconciler.js";
export { startReconciler } from "./start-reconciler.js";
