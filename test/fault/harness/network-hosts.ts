import { execFile } from "node:child_process";
import { userInfo } from "node:os";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Worker "machines" made of Linux network namespaces (`ip netns`, Debian's iproute2). Each host
 * is a namespace joined to the test's own (the "service side", where Postgres, Redis and the
 * server listen) by two veth pairs: one that only Postgres is reached through and one that only
 * Redis is, so a scenario can cut a worker off from either or both. Faults are what a network
 * does: a link taken down (`ip link set … down`: the worker's packets go nowhere and the
 * service side's are dropped silently on the carrier-less peer, as in a partition), or delay and
 * loss with `tc netem`, or where the kernel has no netem, loss alone with iptables' `statistic`
 * match (the delay then comes from delay-proxy.ts). Needs root (CI runs as root).
 */
export interface NetworkHost {
  /** The namespace's name, for `ip netns exec`. */
  readonly namespace: string;
  /** Service-side address of the Postgres link: the worker's `DATABASE_URL` host. */
  readonly postgresAddress: string;
  /** Service-side address of the Redis link: the worker's `REDIS_URL` host. */
  readonly redisAddress: string;
  /** The worker's own address on the Postgres link (what `pg_stat_activity.client_addr` shows). */
  readonly clientAddress: string;
  /** The command prefix that runs a program inside the namespace. */
  readonly exec: readonly string[];
  /** Takes the worker side of the named links down. */
  cut(links: readonly Link[]): Promise<void>;
  /** Brings them up again. */
  heal(links: readonly Link[]): Promise<void>;
  /** `tc qdisc replace … netem <spec>` on both ends of the links (e.g. `delay 200ms 100ms loss 1%`). */
  netem(links: readonly Link[], spec: string): Promise<void>;
  /**
   * Drops each packet in and out of the worker side of the links with `probability` (iptables
   * `-m statistic --mode random`): real loss that TCP must retransmit, without netem. The rules
   * live in the namespace and go with it.
   */
  loss(links: readonly Link[], probability: number): Promise<void>;
  /** Packets `loss` dropped and let through so far, from the rules' own counters. */
  lossCounts(): Promise<{ dropped: number; passed: number }>;
}

export type Link = "postgres" | "redis";
export const bothLinks: readonly Link[] = ["postgres", "redis"];

/** Every namespace this harness makes is `alm<pid>w<n>`: the pid tells a live run's from a crashed one's. */
const namePattern = /^alm(\d+)w\d+$/;

/**
 * Why the multi-host scenarios cannot run here, or undefined when they can: they need root and
 * a working `ip netns` (a container without CAP_SYS_ADMIN has neither).
 */
export async function networkHostsUnavailable(): Promise<string | undefined> {
  if (userInfo().uid !== 0) return "needs root: the multi-host scenarios make network namespaces with `ip netns`";
  const probe = `alm${process.pid}probe`;
  try {
    await ip("netns", "add", probe);
    await ip("netns", "del", probe);
    return undefined;
  } catch (error) {
    return `needs \`ip netns\` (iproute2) and the right to make network namespaces: ${String(error).split("\n")[0]}`;
  }
}

/**
 * Why `tc netem` cannot shape links here, or undefined when it can: the kernel needs the
 * `sch_netem` qdisc (a minimal VM kernel may have none). Probed on the loopback of a throwaway
 * namespace.
 */
export async function netemUnavailable(): Promise<string | undefined> {
  const probe = `alm${process.pid}netem`;
  try {
    await ip("netns", "add", probe);
    await run("ip", ["netns", "exec", probe, "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"]);
    return undefined;
  } catch (error) {
    return `needs \`tc netem\` (the kernel's sch_netem qdisc): ${String(error).split("\n").slice(0, 2).join(" ")}`;
  } finally {
    await ip("netns", "del", probe).catch(() => undefined);
  }
}

/**
 * Why iptables cannot drop packets at random here, or undefined when it can: needs the
 * `iptables` command (Debian's package; `.ci/run` installs it) and the kernel's `statistic`
 * match. Probed in a throwaway namespace.
 */
export async function packetLossUnavailable(): Promise<string | undefined> {
  const probe = `alm${process.pid}loss`;
  try {
    await ip("netns", "add", probe);
    await run("ip", ["netns", "exec", probe, "iptables", ...dropAtRandom("OUTPUT", "-o", "lo", 0.01)]);
    return undefined;
  } catch (error) {
    return `needs iptables with the statistic match: ${String(error).split("\n").slice(0, 2).join(" ")}`;
  } finally {
    await ip("netns", "del", probe).catch(() => undefined);
  }
}

/**
 * Removes hosts left by a run that crashed: those whose pid is not a live process. A
 * concurrent run's hosts stay.
 */
export async function removeLeftoverHosts(): Promise<void> {
  await removeHosts((pid) => !alive(pid));
}

/**
 * Makes worker host `n` (1–60) of this process. Addresses are 10.<octet>.<2n|2n+1>.1 (service
 * side) and .2 (worker side) in /30s, the second octet taken from the pid so that two runs on
 * one machine do not collide.
 */
export async function createNetworkHost(n: number): Promise<NetworkHost> {
  const namespace = `alm${process.pid}w${n}`;
  const octet = 64 + (process.pid % 128);
  await ip("netns", "add", namespace);
  await ip("-n", namespace, "link", "set", "lo", "up");
  const links: Record<Link, { outside: string; inside: string; service: string; client: string }> = {
    postgres: { outside: `${namespace}p`, inside: "pg", service: "", client: "" },
    redis: { outside: `${namespace}r`, inside: "redis", service: "", client: "" },
  };
  for (const [index, link] of [links.postgres, links.redis].entries()) {
    const subnet = `10.${octet}.${2 * n + index}`;
    link.service = `${subnet}.1`;
    link.client = `${subnet}.2`;
    await ip("link", "add", link.outside, "type", "veth", "peer", "name", link.inside, "netns", namespace);
    await ip("addr", "add", `${link.service}/30`, "dev", link.outside);
    await ip("link", "set", link.outside, "up");
    await ip("-n", namespace, "addr", "add", `${link.client}/30`, "dev", link.inside);
    await ip("-n", namespace, "link", "set", link.inside, "up");
  }
  const each = async (names: readonly Link[], work: (link: (typeof links)[Link]) => Promise<unknown>) => {
    for (const name of names) await work(links[name]);
  };
  return {
    namespace,
    postgresAddress: links.postgres.service,
    redisAddress: links.redis.service,
    clientAddress: links.postgres.client,
    exec: ["ip", "netns", "exec", namespace],
    cut: (names) => each(names, (link) => ip("-n", namespace, "link", "set", link.inside, "down")),
    heal: (names) => each(names, (link) => ip("-n", namespace, "link", "set", link.inside, "up")),
    netem: (names, spec) =>
      each(names, async (link) => {
        const args = ["qdisc", "replace", "dev"];
        await run("tc", [...args, link.outside, "root", "netem", ...spec.split(" ")]);
        await run("ip", ["netns", "exec", namespace, "tc", ...args, link.inside, "root", "netem", ...spec.split(" ")]);
      }),
    loss: (names, probability) =>
      each(names, async (link) => {
        for (const [chain, direction] of [
          ["INPUT", "-i"],
          ["OUTPUT", "-o"],
        ] as const) {
          await run("ip", [
            "netns",
            "exec",
            namespace,
            "iptables",
            ...dropAtRandom(chain, direction, link.inside, probability),
          ]);
          // A rule with no target only counts: the packets the drop let through.
          await run("ip", ["netns", "exec", namespace, "iptables", "-A", chain, direction, link.inside]);
        }
      }),
    async lossCounts() {
      const { stdout } = await run("ip", ["netns", "exec", namespace, "iptables-save", "-c"]);
      const counts = { dropped: 0, passed: 0 };
      for (const [, packets, rule] of stdout.matchAll(/^\[(\d+):\d+\] (-A .*)$/gm)) {
        counts[rule?.includes("-j DROP") ? "dropped" : "passed"] += Number(packets);
      }
      return counts;
    },
  };
}

/** Removes this process's hosts and their veth pairs; safe to call after a failure. */
export async function removeNetworkHosts(): Promise<void> {
  await removeHosts((pid) => pid === process.pid);
}

/**
 * Deletes the service-side veth ends first, then the namespaces: a namespace's own links go
 * only when the kernel gets round to destroying it, after `ip netns del` returned, and the next
 * scenario's `ip link add` of the same name would find it still there.
 */
async function removeHosts(whose: (pid: number) => boolean): Promise<void> {
  const { stdout: links } = await run("ip", ["-o", "link", "show"]);
  for (const match of links.matchAll(/^\d+: (alm(\d+)w\d+[pr])@/gm)) {
    if (whose(Number(match[2]))) await ip("link", "del", match[1] ?? "").catch(() => undefined);
  }
  const { stdout: namespaces } = await run("ip", ["netns", "list"]);
  for (const line of namespaces.split("\n")) {
    const name = line.split(" ")[0] ?? "";
    const pid = Number(namePattern.exec(name)?.[1]);
    if (Number.isInteger(pid) && whose(pid)) await ip("netns", "del", name).catch(() => undefined);
  }
}

/** iptables arguments appending a rule that drops a packet of `chain` through `device` with `probability`. */
function dropAtRandom(chain: string, direction: "-i" | "-o", device: string, probability: number): string[] {
  return [
    "-A",
    chain,
    direction,
    device,
    "-m",
    "statistic",
    "--mode",
    "random",
    "--probability",
    String(probability),
    "-j",
    "DROP",
  ];
}

async function ip(...args: string[]): Promise<void> {
  await run("ip", args);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
