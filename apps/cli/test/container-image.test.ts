import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestDatabase, freePort, repoRoot, type TestDatabase } from "@almanac/testing";
import { glob } from "tinyglobby";
import { parse } from "yaml";

// No Docker engine runs where the tests run. So the Dockerfile is checked against what the
// README and .ci/run install and build, and the image's entrypoint is run here, from the repo
// (the image's WORKDIR /app holds the same tree), with the image's and compose's environment.

interface Instruction {
  readonly stage: number;
  readonly op: string;
  readonly args: string;
}

/** Dockerfile instructions (continuations joined, comments dropped), each with its stage index. */
function parseDockerfile(text: string): Instruction[] {
  const joined = text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ");
  let stage = -1;
  return joined
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [, op = "", args = ""] = /^\s*(\S+)\s+(.*)$/.exec(line) ?? [];
      if (op.toUpperCase() === "FROM") stage += 1;
      return { stage, op: op.toUpperCase(), args: args.trim() };
    });
}

/** `ENV A=1 B=2` lines of a stage as one record. */
function envOf(instructions: readonly Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of instructions.filter((i) => i.op === "ENV")) {
    for (const [, key = "", value = ""] of args.matchAll(/(\w+)=(\S+)/g)) env[key] = value;
  }
  return env;
}

interface ComposeService {
  build?: string;
  command?: string[];
  ports?: string[];
  container_name?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

async function readCompose(): Promise<Record<string, ComposeService>> {
  const text = await readFile(path.join(repoRoot, "docker-compose.yml"), "utf8");
  return (parse(text, { merge: true }) as { services: Record<string, ComposeService> }).services;
}

const dockerfile = async () => parseDockerfile(await readFile(path.join(repoRoot, "Dockerfile"), "utf8"));
const lastStage = (all: readonly Instruction[]) => all.filter((i) => i.stage === Math.max(...all.map((x) => x.stage)));

describe("Dockerfile", () => {
  test("multi-stage on Node 20 or later, as package.json's engines say", async () => {
    const all = await dockerfile();
    const froms = all.filter((i) => i.op === "FROM");
    assert.ok(froms.length >= 2, "a build stage and a run stage");
    const { engines } = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as {
      engines: { node: string };
    };
    const minimum = Number(/>=\s*(\d+)/.exec(engines.node)?.[1]);
    for (const from of froms) {
      const major = Number(/^node:(\d+)/.exec(from.args)?.[1]);
      assert.ok(major >= minimum, `${from.args}: Node ${minimum} or later`);
    }
    assert.ok(
      lastStage(all).some((i) => i.op === "COPY" && i.args.startsWith("--from=")),
      "the run stage copies the build's output",
    );
  });

  test("installs and builds as the README and .ci/run do, from every workspace", async () => {
    const all = await dockerfile();
    const build = all.filter((i) => i.stage === 0);
    const runs = build.filter((i) => i.op === "RUN").map((i) => i.args);
    const ci = await readFile(path.join(repoRoot, ".ci/run"), "utf8");
    const ciInstall = /^npm install.*$/m.exec(ci)?.[0];
    assert.ok(ciInstall, ".ci/run installs with npm install");
    assert.ok(runs.includes(ciInstall), `the image installs as CI does (${ciInstall}); RUNs: ${runs.join(" | ")}`);
    const readme = await readFile(path.join(repoRoot, "README.md"), "utf8");
    assert.match(readme, /npm install && npm run demo/);
    const pkg = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as {
      workspaces: string[];
      scripts: Record<string, string>;
    };
    assert.ok(pkg.scripts.build, "package.json has a build script");
    assert.ok(runs.includes("npm run build"), "the image builds with npm run build");
    assert.ok(runs.indexOf(ciInstall) < runs.indexOf("npm run build"), "install before build");
    // Everything install and build read is copied in before them.
    const copied = build.filter((i) => i.op === "COPY").flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    const needed = [
      "package.json",
      "package-lock.json",
      "turbo.json",
      "tsconfig.base.json",
      ...pkg.workspaces.map((w) => w.split("/")[0] ?? w),
    ];
    for (const file of needed) assert.ok(copied.includes(file), `COPY ${file} in the build stage`);
    const ignored = (await readFile(path.join(repoRoot, ".dockerignore"), "utf8")).split("\n");
    assert.ok(ignored.includes("**/node_modules"), "host node_modules stay out of the build");
    assert.ok(ignored.includes("**/dist"), "host builds stay out of the build");
  });

  test("the run stage is non-root with almanac as its entrypoint", async () => {
    const run = lastStage(await dockerfile());
    const user = run.filter((i) => i.op === "USER").at(-1)?.args;
    assert.ok(user && user !== "root" && user !== "0", `USER ${user}`);
    const workdir = run.filter((i) => i.op === "WORKDIR").at(-1)?.args;
    assert.equal(workdir, "/app");
    const entrypoint = JSON.parse(run.find((i) => i.op === "ENTRYPOINT")?.args ?? "null") as string[];
    const cli = JSON.parse(await readFile(path.join(repoRoot, "apps/cli/package.json"), "utf8")) as {
      bin: { almanac: string };
    };
    assert.deepEqual(entrypoint, ["node", path.posix.join("apps/cli", cli.bin.almanac)]);
    const env = envOf(run);
    const project = run.find((i) => i.op === "COPY" && i.args.endsWith(` ${env.ALMANAC_PROJECT_DIR}`));
    assert.ok(project, "a project is copied to ALMANAC_PROJECT_DIR");
  });

  test("npm prune --omit=dev keeps what the built code imports: each import is a declared dependency", async () => {
    const runs = (await dockerfile()).filter((i) => i.op === "RUN").map((i) => i.args);
    assert.ok(runs.some((r) => r.startsWith("npm prune --omit=dev")));
    const manifests = await glob(["packages/*/package.json", "apps/*/package.json"], { cwd: repoRoot });
    for (const manifest of manifests) {
      const dir = path.dirname(manifest);
      const declared = new Set(
        Object.keys(
          (JSON.parse(await readFile(path.join(repoRoot, manifest), "utf8")) as { dependencies?: object })
            .dependencies ?? {},
        ),
      );
      for (const file of await glob([`${dir}/dist/**/*.js`], { cwd: repoRoot })) {
        const code = await readFile(path.join(repoRoot, file), "utf8");
        const specifiers = [
          ...code.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm),
          ...code.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
          ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
        ].map((m) => m[1] ?? "");
        for (const specifier of specifiers) {
          if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
          const name = specifier.startsWith("@")
            ? specifier.split("/").slice(0, 2).join("/")
            : (specifier.split("/")[0] ?? "");
          assert.ok(declared.has(name), `${file} imports ${name}, not a dependency of ${manifest}`);
        }
      }
    }
  });
});

describe("docker-compose.yml server and worker", () => {
  test("built from the Dockerfile, healthchecked, after healthy postgres and redis; workers scale", async () => {
    const services = await readCompose();
    for (const [name, command] of [
      ["server", "serve"],
      ["worker", "worker"],
    ] as const) {
      const service = services[name];
      assert.ok(service, name);
      assert.equal(service.build, ".");
      assert.deepEqual(service.command, [command]);
      assert.ok(service.healthcheck?.test.length, `${name} healthcheck`);
      assert.equal(service.depends_on?.postgres?.condition, "service_healthy");
      assert.equal(service.depends_on?.redis?.condition, "service_healthy");
      assert.match(service.environment?.DATABASE_URL ?? "", /@postgres:5432\//);
      assert.equal(service.environment?.REDIS_URL, "redis://redis:6379");
    }
    // --scale worker=4: nothing a second replica would collide on.
    assert.equal(services.worker?.ports, undefined);
    assert.equal(services.worker?.container_name, undefined);
    for (const port of services.server?.ports ?? []) assert.match(port, /^127\.0\.0\.1:/);
  });
});

/**
 * The image's entrypoint and each service's command, run here with the image's ENV and the
 * service's environment — hosts and ports swapped for this machine's — until the service's own
 * healthcheck command passes.
 */
describe("the image's entrypoint, outside Docker", () => {
  let db: TestDatabase;
  let home: string;
  before(async () => {
    db = await createTestDatabase();
    home = await mkdtemp(path.join(tmpdir(), "almanac-image-"));
  });
  after(async () => {
    await db.drop();
    await rm(home, { recursive: true, force: true });
  });

  for (const name of ["server", "worker"]) {
    test(`${name}: starts and passes its compose healthcheck, stops on SIGTERM`, async () => {
      const run = lastStage(await dockerfile());
      const imageEnv = envOf(run);
      const entrypoint = JSON.parse(run.find((i) => i.op === "ENTRYPOINT")?.args ?? "[]") as string[];
      const service = (await readCompose())[name];
      assert.ok(service?.command && service.healthcheck);
      // The project the image copies to ALMANAC_PROJECT_DIR, from the repo.
      const projectCopy = run.find((i) => i.op === "COPY" && i.args.endsWith(` ${imageEnv.ALMANAC_PROJECT_DIR}`));
      const projectSource = projectCopy?.args.split(/\s+/).filter((a) => !a.startsWith("--"))[0] ?? "";
      const env: Record<string, string | undefined> = {
        PATH: process.env.PATH,
        ...imageEnv,
        ...service.environment,
        // What differs on this machine: the database, Redis, ports, the token and the home.
        DATABASE_URL: db.url,
        REDIS_URL: process.env.ALMANAC_TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
        ALMANAC_QUEUE_PREFIX: `almanac_image_${randomBytes(5).toString("hex")}`,
        ALMANAC_PROJECT_DIR: path.join(repoRoot, projectSource),
        ALMANAC_HOME: home,
        PORT: String(await freePort()),
        ALMANAC_METRICS_PORT: String(await freePort()),
        ...(service.environment?.ALMANAC_API_TOKEN ? { ALMANAC_API_TOKEN: "image-test-token" } : {}),
      };
      const [command, ...args] = [...entrypoint, ...service.command];
      assert.equal(command, "node");
      const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (chunk) => {
        stderr += String(chunk);
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      try {
        const [check, ...checkArgs] = service.healthcheck.test.slice(1);
        assert.equal(check, "node");
        let healthy = false;
        for (let i = 0; i < 100 && !healthy && child.exitCode === null; i++) {
          healthy = await new Promise<boolean>((resolve) => {
            const probe = spawn(process.execPath, checkArgs, { env, stdio: "ignore" });
            probe.once("exit", (code) => resolve(code === 0));
          });
          if (!healthy) await sleep(200);
        }
        assert.ok(healthy, `${name} never passed its healthcheck; stderr:\n${stderr}`);
      } finally {
        child.kill("SIGTERM");
      }
      assert.equal(await exited, 0, `exits cleanly on SIGTERM; stderr:\n${stderr}`);
    });
  }
});
