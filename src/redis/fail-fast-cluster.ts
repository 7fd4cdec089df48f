import { Cluster, ClusterNode, ClusterOptions, Command } from 'ioredis';

/** Cluster options on the default (legacy) reply mapping, the one the repositories are written for. */
export type FailFastClusterOptions = Omit<ClusterOptions, 'redisOptions'> & {
  redisOptions?: Omit<NonNullable<ClusterOptions['redisOptions']>, 'replyMapping'>;
};

/**
 * Failures after which the slot map may be stale: a master that stopped answering (timed out,
 * closed), a redirect, or a cluster still electing. ioredis refreshes its slot map only on a
 * MOVED it handles itself, and never on a timeout, so a paused master kept its slots in the
 * client until it came back.
 */
const TOPOLOGY_FAILURE = /^(Command timed out|Connection is closed|MOVED |ASK |CLUSTERDOWN|TRYAGAIN|Too many Cluster redirections)/;
const REFRESH_EVERY_MS = 250;
const REFRESH_FOR_MS = 3000;

/**
 * An ioredis Cluster whose every command fails after `commandTimeoutMs`, as a standalone client
 * with `commandTimeout` does. A plain Cluster only times a command once a node connection takes
 * it: while no node is reachable it parks commands in its offline queue without limit, and a
 * request would hang instead of failing closed with 503 store_unavailable.
 *
 * It also follows a failover at once: a command that fails in a way that says the slot map may
 * be stale starts refreshing it (CLUSTER SLOTS; ioredis runs one at a time), and a refresh
 * drops the connection of a master that no longer holds slots, so commands waiting on it are
 * retried on the promoted replica instead of waiting out their timeout.
 */
export class FailFastCluster extends Cluster {
  private readonly watched = new WeakSet<Command>();
  private failingUntil = 0;
  private refreshTimer?: NodeJS.Timeout;

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
    if (!this.watched.has(command)) {
      this.watched.add(command);
      command.promise.catch((error: Error) => {
        if (TOPOLOGY_FAILURE.test(error.message)) this.refreshWhileFailing();
      });
    }
    return super.sendCommand(command, stream, node);
  }

  /**
   * Refreshes the slot map now, and again every REFRESH_EVERY_MS until REFRESH_FOR_MS pass
   * without such a failure: a refresh just before the promotion still sees the old master, and
   * the commands sent to a paused master meanwhile would each wait out their timeout.
   */
  private refreshWhileFailing(): void {
    this.failingUntil = Date.now() + REFRESH_FOR_MS;
    this.refreshSlotsCache();
    if (this.refreshTimer) return;
    const again = () => {
      this.refreshTimer = undefined;
      if (Date.now() > this.failingUntil || this.status === 'end' || this.status === 'close') return;
      this.refreshSlotsCache();
      this.refreshTimer = setTimeout(again, REFRESH_EVERY_MS).unref();
    };
    this.refreshTimer = setTimeout(again, REFRESH_EVERY_MS).unref();
  }
}
