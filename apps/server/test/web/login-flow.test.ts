import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type BrowserFixture, browserFixture } from "./browser-fixture.js";

const token = "browser-login-token-81c3";

describe("web pages in Chromium with ALMANAC_API_TOKEN: login, forms and Bull Board", () => {
  let f: BrowserFixture;
  before(async () => {
    f = await browserFixture({ apiToken: token, worker: false });
  });
  after(async () => {
    await f?.close();
  });

  it("refuses a form without a session, rejects a wrong token, and lets the form through after login", async () => {
    const page = await f.newPage();
    await page.goto("/assets/daily_metrics");
    await page.locator("#materialize-form input[name=partition]").fill("2024-01-03");
    await page.locator("#materialize-form button[type=submit]").click();
    await page.getByRole("alert").filter({ hasText: "Sign in with the API token" }).waitFor();
    assert.equal((await f.query("select id from almanac.runs")).length, 0);

    await page.goto("/login?next=%2Fassets%2Fdaily_metrics");
    await page.getByLabel("API token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "not the API token" }).waitFor();
    const [cookie] = await page.context().cookies();
    assert.equal(cookie, undefined, "a wrong token sets no cookie");

    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/assets\/daily_metrics$/);
    const [session] = await page.context().cookies();
    assert.equal(session?.name, "almanac_session");
    assert.equal(session?.httpOnly, true);
    assert.equal(session?.sameSite, "Strict");

    await page.locator("#materialize-form input[name=partition]").fill("2024-01-03");
    await page.locator("#materialize-form button[type=submit]").click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    assert.equal((await f.query("select id from almanac.runs")).length, 1);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/$/);
    assert.deepEqual(await page.context().cookies(), []);
    await page.context().close();
  });

  it("Bull Board sends visitors to the login page and loads its UI after login", async () => {
    const page = await f.newPage();
    await page.goto("/admin/queues");
    await page.waitForURL(/\/login\?next=%2Fadmin%2Fqueues/);
    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/admin\/queues$/);
    // Rendered by Bull Board's scripts: they run under the server's Content-Security-Policy.
    await page.getByText("Almanac queues").first().waitFor();
    await page.getByText("runs", { exact: true }).first().waitFor();
    await page.context().close();
  });
});
