import { DurableObject } from 'cloudflare:workers';
import { migrate } from '../sql/migrate';
import { adoptRejections, COLLECTOR_MIGRATIONS, forgetMentions, listRejections, recordRejection, type Rejection, type RejectionCount, type RejectionLog } from './rejectionLog';

/**
 * Collector-level records that belong to no MoEngage connection, so renaming or removing a
 * connection never orphans them: whole-request rejections (rejectionLog.ts). One instance,
 * `collector` (collector/log.ts).
 */
export class CollectorLog extends DurableObject<unknown> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    migrate(ctx.storage, COLLECTOR_MIGRATIONS);
  }

  async recordRejection(rejection: Rejection): Promise<void> {
    recordRejection(this.ctx.storage.sql, rejection);
  }

  /** The log, and whether rejections kept by an earlier release in a connection's queue were adopted yet. */
  async listRejections(limit: number): Promise<RejectionLog & { adopted: boolean }> {
    return { ...listRejections(this.ctx.storage.sql, limit), adopted: (await this.ctx.storage.get<boolean>('adopted')) === true };
  }

  /** Erasure: recent rejections that mention one of `ids` are forgotten. */
  async forgetMentions(ids: string[]): Promise<{ rejections: number }> {
    return { rejections: forgetMentions(this.ctx.storage.sql, ids) };
  }

  /** Takes in the rejection logs earlier releases kept in connection queues, once. */
  async adoptRejections(legacy: { counts: RejectionCount[]; recent: string[] }[]): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      for (const log of legacy) adoptRejections(this.ctx.storage.sql, log);
    });
    await this.ctx.storage.put('adopted', true);
  }
}
