// Writes seeds/raw_customers.csv, raw_orders.csv and raw_payments.csv: a small, deterministic
// jaffle shop (same seed, same files), shaped like dbt's own jaffle_shop seeds.
//
//   npx tsx examples/jaffle_shop/scripts/generate-seeds.ts
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** mulberry32: a tiny seeded generator, so the files never change between runs. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const firstNames = [
  "Michael",
  "Shawn",
  "Kathleen",
  "Jimmy",
  "Katherine",
  "Sarah",
  "Martin",
  "Frank",
  "Jennifer",
  "Henry",
];
const lastNames = ["P.", "M.", "B.", "C.", "R.", "W.", "F.", "H.", "G.", "S."];
const statuses = ["placed", "shipped", "completed", "completed", "completed", "return_pending", "returned"];
const methods = ["credit_card", "credit_card", "coupon", "bank_transfer", "gift_card"];

/** The three seed files' text for `customers` customers and `days` days of orders from 2024-01-01. */
export function jaffleSeeds(options = { customers: 100, days: 91, seed: 7 }): Record<string, string> {
  const random = seeded(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const customers = ["id,first_name,last_name"];
  for (let id = 1; id <= options.customers; id++) customers.push(`${id},${pick(firstNames)},${pick(lastNames)}`);
  const orders = ["id,user_id,order_date,status"];
  const payments = ["id,order_id,payment_method,amount"];
  let orderId = 0;
  let paymentId = 0;
  const start = Date.UTC(2024, 0, 1);
  for (let day = 0; day < options.days; day++) {
    const date = new Date(start + day * 86_400_000).toISOString().slice(0, 10);
    const count = 2 + Math.floor(random() * 5);
    for (let i = 0; i < count; i++) {
      orderId += 1;
      orders.push(`${orderId},${1 + Math.floor(random() * options.customers)},${date},${pick(statuses)}`);
      // Most orders are paid once; some split a coupon off; a few (placed, unpaid) have none.
      const parts = random() < 0.08 ? 0 : random() < 0.2 ? 2 : 1;
      for (let p = 0; p < parts; p++) {
        paymentId += 1;
        const method = p === 1 ? "coupon" : pick(methods);
        payments.push(`${paymentId},${orderId},${method},${100 * Math.floor(1 + random() * 30)}`);
      }
    }
  }
  return {
    "raw_customers.csv": `${customers.join("\n")}\n`,
    "raw_orders.csv": `${orders.join("\n")}\n`,
    "raw_payments.csv": `${payments.join("\n")}\n`,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seedsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "seeds");
  for (const [file, text] of Object.entries(jaffleSeeds())) await writeFile(join(seedsDir, file), text);
}
