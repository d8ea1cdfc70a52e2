import { defineConfig } from "drizzle-kit";

// Run from packages/store after changing src/schema, then commit the generated folder:
//   npm run db:generate -w @almanac/store -- --name what_changed
// `migrate()` applies it. The generated `CREATE SCHEMA "almanac"` must read
// `CREATE SCHEMA IF NOT EXISTS "almanac"`: drizzle's migrator creates that schema first for its
// own bookkeeping table.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema/*.ts",
  out: "./migrations",
  schemaFilter: ["almanac"],
  migrations: { schema: "almanac", table: "__drizzle_migrations" },
});
