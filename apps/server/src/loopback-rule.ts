import { BlockList, isIP } from "node:net";
import { AlmanacError } from "@almanac/errors";

/** What {@link assertSafeToListen} looks at. */
export interface ListenSafety {
  /** The interface the server is to listen on. */
  readonly host: string;
  /** `ALMANAC_API_TOKEN`, when set. */
  readonly apiToken?: string;
  /** `--insecure` / `ALMANAC_INSECURE=1`: listen anywhere without a token. Default false. */
  readonly insecure?: boolean;
}

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");
loopback.addSubnet("::ffff:127.0.0.0", 104, "ipv6");

/**
 * Whether `host` only accepts connections from this machine: `localhost`, `127.0.0.0/8`,
 * `::1` and IPv4-mapped loopback. Names other than `localhost` may resolve anywhere, so they
 * count as reachable from outside.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost") return true;
  const family = isIP(h);
  return family !== 0 && loopback.check(h, family === 4 ? "ipv4" : "ipv6");
}

/**
 * Refuses an open API on the network: without a token anyone who can reach the port could
 * start and cancel runs. Loopback addresses are fine (local development); anything else needs
 * `ALMANAC_API_TOKEN`, or `insecure` when the operator protects the port some other way.
 * Throws `ALMANAC_BAD_REQUEST` (the CLI's exit 2).
 */
export function assertSafeToListen({ host, apiToken, insecure }: ListenSafety): void {
  if (apiToken || insecure || isLoopbackHost(host)) return;
  throw new AlmanacError(
    "ALMANAC_BAD_REQUEST",
    `refusing to listen on ${host} without ALMANAC_API_TOKEN: anyone who can reach it could start runs; ` +
      "set ALMANAC_API_TOKEN, listen on 127.0.0.1 (ALMANAC_HOST), or pass --insecure (ALMANAC_INSECURE=1)",
  );
}
