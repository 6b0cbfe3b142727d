import { ConfigError } from '../config/ConfigError';
import { type DeliveryConnection, readDeliveryConnection } from '../config/connections';
import type { Settings } from '../config/settings';
import { settingsFingerprint } from './fingerprint';

/** A queue's own connection as its settings read: usable (with their fingerprint), or malformed (why). */
export type Own = { connection: DeliveryConnection; fingerprint: string } | { misconfigured: ConfigError };

/**
 * The one connection a DeliveryQueue serves, read from its settings alone (config/connections.ts
 * `readDeliveryConnection`): whatever else is malformed, this queue keeps delivering. Read once per
 * life of the object: settings only change with a deploy, which restarts it.
 */
export class OwnConnection {
  private read: Promise<Own | undefined> | null = null;

  constructor(
    private readonly settings: Settings,
    /** The connection id, once the queue knows it (its first call names it). */
    private readonly id: () => string | undefined,
  ) {}

  /** Undefined when the queue was never named or its connection is not configured (any more). */
  get(): Promise<Own | undefined> {
    const id = this.id();
    if (id === undefined) return Promise.resolve(undefined);
    this.read ??= (async () => {
      try {
        const connection = readDeliveryConnection(this.settings, id);
        return connection && { connection, fingerprint: await settingsFingerprint(connection) };
      } catch (error) {
        if (error instanceof ConfigError) return { misconfigured: error };
        throw error;
      }
    })();
    return this.read;
  }

  /** The connection when its settings are usable. */
  async usable(): Promise<DeliveryConnection | undefined> {
    const own = await this.get();
    return own && 'connection' in own ? own.connection : undefined;
  }
}
