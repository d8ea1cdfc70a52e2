import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { localDayWindow, localHour } from "../scripts/local-days.js";
import { catalog, generateDayOrderLines, type OrderLine, shopTimeZone } from "../scripts/order-generator.js";

const hours = (window: { startMs: number; endMs: number }) => (window.endMs - window.startMs) / 3_600_000;
const orderInstants = (lines: readonly OrderLine[]) => [...new Set(lines.map((line) => line.orderedAt))];

describe("Berlin days", () => {
  const cases = [
    { day: "2024-03-30", start: "2024-03-29T23:00:00.000Z", hours: 24 },
    { day: "2024-03-31", start: "2024-03-30T23:00:00.000Z", hours: 23 },
    { day: "2024-04-01", start: "2024-03-31T22:00:00.000Z", hours: 24 },
    { day: "2024-10-27", start: "2024-10-26T22:00:00.000Z", hours: 25 },
    { day: "2024-10-28", start: "2024-10-27T23:00:00.000Z", hours: 24 },
  ];
  for (const c of cases) {
    it(`${c.day} starts at ${c.start} and lasts ${c.hours} hours`, () => {
      const window = localDayWindow(c.day, shopTimeZone);
      assert.equal(new Date(window.startMs).toISOString(), c.start);
      assert.equal(hours(window), c.hours);
    });
  }
});

describe("generateDayOrderLines", () => {
  it("gives identical lines for the same day and seed, others for another seed", () => {
    const options = { day: "2024-03-31", orders: 300, seed: 7 };
    assert.deepEqual(generateDayOrderLines(options), generateDayOrderLines(options));
    assert.notDeepEqual(
      orderInstants(generateDayOrderLines(options)),
      orderInstants(generateDayOrderLines({ ...options, seed: 8 })),
    );
  });

  it("keeps every order inside its Berlin day, with orders on both edges", () => {
    for (const day of ["2024-03-25", "2024-03-31", "2024-07-01", "2024-10-27"]) {
      const window = localDayWindow(day, shopTimeZone);
      const instants = orderInstants(generateDayOrderLines({ day, orders: 500 })).map(Date.parse);
      for (const instant of instants) assert.ok(instant >= window.startMs && instant < window.endMs);
      assert.ok(instants.includes(window.startMs), `${day}: an order at local midnight`);
      assert.ok(instants.includes(window.endMs - 1), `${day}: an order at 23:59:59.999 local`);
    }
  });

  it("places orders on both sides of the DST switches", () => {
    const spring = orderInstants(generateDayOrderLines({ day: "2024-03-31", orders: 10 }));
    // 01:59:59.999+01:00 and 03:00:00+02:00
    assert.ok(spring.includes("2024-03-31T00:59:59.999Z") && spring.includes("2024-03-31T01:00:00.000Z"));
    const autumn = orderInstants(generateDayOrderLines({ day: "2024-10-27", orders: 10 }));
    // 02:30 local twice: first at +02:00, then at +01:00
    assert.ok(autumn.includes("2024-10-27T00:30:00.000Z") && autumn.includes("2024-10-27T01:30:00.000Z"));
  });

  it("numbers orders in time order with unique (order_id, line_no) keys", () => {
    const lines = [
      ...generateDayOrderLines({ day: "2024-03-30", orders: 400 }),
      ...generateDayOrderLines({ day: "2024-03-31", orders: 400 }),
    ];
    assert.equal(new Set(lines.map((line) => `${line.orderId}/${line.lineNo}`)).size, lines.length);
    for (let i = 1; i < lines.length; i++) {
      const [previous, line] = [lines[i - 1] as OrderLine, lines[i] as OrderLine];
      if (line.orderId === previous.orderId) {
        assert.equal(line.lineNo, previous.lineNo + 1);
      } else {
        assert.ok(line.orderId > previous.orderId && line.orderedAt >= previous.orderedAt && line.lineNo === 1);
      }
    }
  });

  it("peaks in the local evening and is quiet at night", () => {
    const perLocalHour = new Array<number>(24).fill(0);
    for (const at of orderInstants(generateDayOrderLines({ day: "2024-06-12", orders: 20_000 }))) {
      const hour = localHour(shopTimeZone, Date.parse(at));
      perLocalHour[hour] = (perLocalHour[hour] ?? 0) + 1;
    }
    const peak = perLocalHour.indexOf(Math.max(...perLocalHour));
    assert.ok(peak >= 18 && peak <= 22, `peak at ${peak}:00 local`);
    assert.ok((perLocalHour[3] ?? 0) * 5 < (perLocalHour[20] ?? 0));
  });

  it("sells catalog items at catalog prices", () => {
    const prices = new Map(catalog.map((item) => [item.sku, item.unitPriceCents]));
    for (const line of generateDayOrderLines({ day: "2024-04-02", orders: 300 })) {
      assert.equal(line.unitPriceCents, prices.get(line.sku));
      assert.ok(line.quantity >= 1 && line.quantity <= 5);
      assert.match(line.country, /^[A-Z]{2}$/);
    }
    assert.ok(catalog.every((item) => item.unitPriceCents > 0 && item.unitPriceCents % 100 === 99));
  });
});
