import { type FaultWorld, type FaultWorldOptions, startFaultWorld } from "./fault-world.js";
import { createNetworkHost, type NetworkHost, removeNetworkHosts } from "./network-hosts.js";
import { startTestCluster, type TestCluster } from "./postgres-cluster.js";

/**
 * A fault world whose workers live on hosts of their own (network namespaces, network-hosts.ts):
 * a private Postgres cluster and the world's Redis listen on the service side of each host's
 * links as well as on 127.0.0.1, where the server and the test connect. The shared Postgres on
 * 5432 is never touched: a worker host reaches only what the test started.
 */
export interface MultiHostWorld {
  readonly world: FaultWorld;
  readonly cluster: TestCluster;
  readonly hosts: readonly NetworkHost[];
  /** Stops every process, the cluster and Redis, and removes the hosts; safe after a failure. */
  close(): Promise<void>;
}

/** Makes `hostCount` worker hosts, the cluster and the world (workers are started by the test). */
export async function startMultiHostWorld(
  hostCount: number,
  options: Omit<FaultWorldOptions, "database" | "redisBind"> = {},
): Promise<MultiHostWorld> {
  const hosts: NetworkHost[] = [];
  let cluster: TestCluster | undefined;
  try {
    for (let n = 1; n <= hostCount; n++) hosts.push(await createNetworkHost(n));
    cluster = await startTestCluster({
      listenAddresses: hosts.map((h) => h.postgresAddress),
      trustedNetworks: hosts.map((h) => `${h.clientAddress}/32`),
    });
    const world = await startFaultWorld({
      ...options,
      database: cluster.database,
      redisBind: hosts.map((h) => h.redisAddress),
    });
    const started = cluster;
    return {
      world,
      cluster: started,
      hosts,
      async close() {
        await world.close();
        await started.database.drop();
        await removeNetworkHosts();
      },
    };
  } catch (error) {
    await cluster?.database.drop();
    await removeNetworkHosts();
    throw error;
  }
}
