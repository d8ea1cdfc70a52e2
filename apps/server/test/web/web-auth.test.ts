import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ServerFixture, serverFixture } from "../server-fixture.js";

const token = "web-test-token-5f2c";
const form = { "content-type": "application/x-www-form-urlencoded" };

function sessionCookie(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie.join("\n") : (setCookie ?? "");
  const match = /almanac_session=([^;]+)/.exec(header);
  assert.ok(match, `no session cookie in ${header}`);
  return `almanac_session=${match[1]}`;
}

describe("web auth with ALMANAC_API_TOKEN", () => {
  let f: ServerFixture;
  before(async () => {
    f = await serverFixture({ apiToken: token });
  });
  after(async () => {
    await f?.close();
  });

  it("keeps read pages open by default and refuses forms without a session", async () => {
    assert.equal((await f.app.inject({ url: "/" })).statusCode, 200);
    const refused = await f.app.inject({
      method: "POST",
      url: "/assets/daily_metrics/materialize",
      headers: form,
      payload: "partition=2024-01-02",
    });
    assert.equal(refused.statusCode, 401);
    assert.match(refused.body, /Sign in with the API token/);
    assert.equal(await f.countRuns(), 0);
  });

  it("rejects a wrong token and sets no cookie", async () => {
    const response = await f.app.inject({ method: "POST", url: "/login", headers: form, payload: "token=wrong" });
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers["set-cookie"], undefined);
  });

  it("a login sets an HttpOnly, SameSite=Strict signed cookie that lets forms through", async () => {
    const login = await f.app.inject({
      method: "POST",
      url: "/login",
      headers: form,
      payload: `token=${token}&next=/assets/daily_metrics`,
    });
    assert.equal(login.statusCode, 303);
    assert.equal(login.headers.location, "/assets/daily_metrics");
    const setCookie = String(login.headers["set-cookie"]);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    const cookie = sessionCookie(login.headers["set-cookie"]);
    const accepted = await f.app.inject({
      method: "POST",
      url: "/assets/daily_metrics/materialize",
      headers: { ...form, cookie },
      payload: "partition=2024-01-02",
    });
    assert.equal(accepted.statusCode, 303);
    assert.equal(await f.countRuns(), 1);

    // A tampered cookie is no session.
    const forged = cookie.replace(/v1\.\d+/, "v1.99999999999999");
    const refused = await f.app.inject({
      method: "POST",
      url: "/schedules/nightly/disable",
      headers: { ...form, cookie: forged },
      payload: "",
    });
    assert.equal(refused.statusCode, 401);
  });

  it("never redirects a login to another site", async () => {
    const login = await f.app.inject({
      method: "POST",
      url: "/login",
      headers: form,
      payload: `token=${token}&next=//evil.example/x`,
    });
    assert.equal(login.headers.location, "/");
  });

  it("the session does not open the JSON API's changes: those still need the bearer token", async () => {
    const login = await f.app.inject({ method: "POST", url: "/login", headers: form, payload: `token=${token}` });
    const cookie = sessionCookie(login.headers["set-cookie"]);
    const api = await f.app.inject({
      method: "POST",
      url: "/api/runs",
      headers: { cookie },
      payload: { select: "daily_metrics", partition: "2024-01-03" },
    });
    assert.equal(api.statusCode, 401);
  });

  it("Bull Board needs a session or the bearer token", async () => {
    const anonymous = await f.app.inject({ url: "/admin/queues" });
    assert.equal(anonymous.statusCode, 303);
    assert.match(anonymous.headers.location ?? "", /^\/login\?next=/);
    const anonymousApi = await f.app.inject({ url: "/admin/queues/api/queues" });
    assert.equal(anonymousApi.statusCode, 303);
    const bearer = await f.app.inject({
      url: "/admin/queues/api/queues",
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(bearer.statusCode, 200);
    const login = await f.app.inject({ method: "POST", url: "/login", headers: form, payload: `token=${token}` });
    const page = await f.app.inject({
      url: "/admin/queues",
      headers: { cookie: sessionCookie(login.headers["set-cookie"]) },
    });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Almanac queues|bull/i);
  });
});

describe("web auth with ALMANAC_WEB_PUBLIC_READ=false", () => {
  let f: ServerFixture;
  before(async () => {
    f = await serverFixture({ apiToken: token, webPublicRead: false });
  });
  after(async () => {
    await f?.close();
  });

  it("sends readers to the login page, which stays reachable with its stylesheet", async () => {
    for (const url of ["/", "/assets/daily_metrics", "/runs", "/backfills", "/schedules"]) {
      const response = await f.app.inject({ url });
      assert.equal(response.statusCode, 303, url);
      assert.equal(response.headers.location, `/login?next=${encodeURIComponent(url)}`);
    }
    assert.equal((await f.app.inject({ url: "/login" })).statusCode, 200);
    assert.equal((await f.app.inject({ url: "/static/web.css" })).statusCode, 200);
    const login = await f.app.inject({ method: "POST", url: "/login", headers: form, payload: `token=${token}` });
    const page = await f.app.inject({ url: "/", headers: { cookie: sessionCookie(login.headers["set-cookie"]) } });
    assert.equal(page.statusCode, 200);
  });
});
