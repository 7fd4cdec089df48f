import { Cluster, ClusterNode, ClusterOptions, Command } from 'ioredis';

/** Cluster options on the default (legacy) reply mapping, the one the repositories are written for. */
export type FailFastClusterOptions = Omit<ClusterOptions, 'redisOptions'> & {
  redisOptions?: Omit<NonNullable<ClusterOptions['redisOptions']>, 'replyMapping'>;
};

/**
 * An ioredis Cluster whose every command fails after `commandTimeoutMs`, as a standalone client
 * with `commandTimeout` does. A plain Cluster only times a command once a node connection takes
 * it: while no node is reachable it parks commands in its offline queue without limit, and a
 * request would hang instead of failing closed with 503 store_unavailable.
 */
export class FailFastCluster extends Cluster {
  constructor(
    startupNodes: ClusterNode[],
    private readonly commandTimeoutMs: number,
    options: FailFastClusterOptions,
  ) {
    super(startupNodes, options);
  }

  override sendCommand(command: Command, stream?: Parameters<Cluster['sendCommand']>[1], node?: unknown): unknown {
    // The first timer wins (Command.setTimeout keeps it), so a redirected or requeued command keeps its deadline.
    command.setTimeout(this.commandTimeoutMs);
    return super.sendCommand(command, stream, node);
  }
}
