import { DurableObject } from 'cloudflare:workers';
import type { Env } from "./env";
export class DeliveryQueue extends DurableObject<Env> {
  async enqueue(x: string): Promise<number> {
    this.ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS q (v TEXT)');
    this.ctx.storage.sql.exec('INSERT INTO q VALUES (?)', x);
    await this.ctx.storage.setAlarm(Date.now() + 1000);
    return this.ctx.storage.sql.exec('SELECT count(*) AS n FROM q').one().n as number;
  }
  override async alarm() {
    const rows = this.ctx.storage.sql.exec('SELECT v FROM q').toArray();
    await fetch(this.env.MOENGAGE_API_BASE + '/v1/event/ws', { method: 'POST', body: JSON.stringify(rows) });
  }
}
export default {
  async fetch(req: Request, env: Env) {
    const stub = env.DELIVERY_QUEUE.getByName('default');
    return Response.json({ n: await stub.enqueue(await req.text()) });
  },
} satisfies ExportedHandler<Env>;
