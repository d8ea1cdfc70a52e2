export type { TestDatabase, TestDatabaseOptions } from "./test-database.js";
export { adminUrl, createTestDatabase, databaseUrl } from "./test-database.js";
