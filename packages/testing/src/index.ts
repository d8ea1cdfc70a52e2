export { adminUrl, createTestDatabase, databaseUrl } from "./test-database.js";
export type { TestDatabase, TestDatabaseOptions } from "./test-database.js";
