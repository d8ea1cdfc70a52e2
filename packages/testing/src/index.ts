export { chromiumPath, launchChromium } from "./chromium.js";
export { freePort } from "./free-port.js";
export { copyProject, editFile, examplesDir, repoRoot } from "./project-copies.js";
export type { PrometheusSample, PrometheusText } from "./prometheus-text.js";
export { parsePrometheusText } from "./prometheus-text.js";
export { symmetricDifference, tableFingerprint } from "./table-compare.js";
export type { TestDatabase, TestDatabaseOptions } from "./test-database.js";
export { adminUrl, createTestDatabase, databaseUrl } from "./test-database.js";
