/** The side panels: preview a message, whole requests refused at ingest, segment syncs. */
import { ApiError, get, post } from './api';
import { byId, fill, h } from './dom';
import { dateTime, json, number } from './format';

const EXAMPLE = {
  type: 'track',
  userId: 'u_8842',
  event: 'Order Completed',
  properties: { order_id: 'ORD-1001', revenue: 89.99, currency: 'GBP', coupon: 'WELCOME10' },
  context: { traits: { email: 'jane@example.com', phone: '07700 900123' }, timezone: 'Europe/London' },
};

interface PreviewAnswer {
  connections: {
    connection: string;
    blueprint: string;
    urls: string[];
    result: { status: string; reason?: string; detail?: string; requests?: { body: unknown }[]; omissions?: { reason: string; detail: string }[]; issues?: { path: string; message: string }[] };
  }[];
}

export function setUpPreview(): void {
  const input = byId<HTMLTextAreaElement>('preview-input');
  if (!input.value) input.value = json(EXAMPLE);
  byId('preview-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void runPreview(input.value);
  });
}

async function runPreview(text: string): Promise<void> {
  const out = byId('preview-result');
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (error) {
    fill(out, h('p', { role: 'alert' }, `Not JSON: ${error instanceof Error ? error.message : String(error)}`));
    return;
  }
  try {
    const answer = await post<PreviewAnswer>('/debugger/api/preview', { message, visitorCountry: 'GB' });
    fill(
      out,
      answer.connections.map((c) =>
        h(
          'section',
          { class: 'preview' },
          h('h4', {}, `${c.connection} (${c.blueprint}): `, h('span', { class: `badge s-${c.result.status}` }, c.result.status), c.result.reason ? h('code', {}, ` ${c.result.reason}`) : null),
          c.result.detail ? h('p', {}, c.result.detail) : null,
          (c.result.issues ?? []).length ? h('ul', {}, (c.result.issues ?? []).map((i) => h('li', {}, h('code', {}, i.path), ` ${i.message}`))) : null,
          (c.result.requests ?? []).flatMap((r, i) => [h('p', {}, h('code', {}, `POST ${c.urls[i] ?? ''}`)), h('pre', { class: 'json' }, json(r.body))]),
          (c.result.omissions ?? []).length ? h('ul', { class: 'omissions' }, (c.result.omissions ?? []).map((o) => h('li', {}, h('code', {}, o.reason), ` ${o.detail}`))) : null,
        ),
      ),
    );
  } catch (error) {
    fill(out, h('p', { role: 'alert' }, error instanceof ApiError ? `${error.error}: ${error.detail}` : String(error)));
  }
}

interface Rejections {
  counts: { error: string; status: number; count: number; lastAt: number }[];
  recent: { at: number; status: number; error: string; detail: string; path: string; userAgent: string | null }[];
}

export async function loadRejections(): Promise<void> {
  const out = byId('rejections-body');
  try {
    const log = await get<Rejections>('/debugger/api/rejections?limit=20');
    fill(
      out,
      log.counts.length
        ? h(
            'table',
            {},
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Refused as'), h('th', { scope: 'col' }, 'HTTP'), h('th', { scope: 'col', class: 'num' }, 'Count'), h('th', { scope: 'col' }, 'Last'))),
            h('tbody', {}, log.counts.map((c) => h('tr', {}, h('td', {}, h('code', {}, c.error)), h('td', {}, String(c.status)), h('td', { class: 'num' }, number(c.count)), h('td', {}, dateTime(c.lastAt))))),
          )
        : h('p', { class: 'muted' }, 'No request has been refused.'),
      log.recent.length ? h('ul', { class: 'recent' }, log.recent.map((r) => h('li', {}, `${dateTime(r.at)} ${r.status} `, h('code', {}, r.error), ` ${r.path}: ${r.detail}`))) : null,
    );
  } catch (error) {
    fill(out, h('p', { role: 'alert' }, String(error)));
  }
}

interface SegmentsOverview {
  segments: { syncId: string; name: string; members: number; lastPageAt: number | null }[];
  executions: unknown[];
  errors: { at: number; error: string; detail: string }[];
}

export async function loadSegments(): Promise<void> {
  const out = byId('segments-body');
  try {
    const view = await get<SegmentsOverview>('/debugger/api/segments?limit=10');
    fill(
      out,
      view.segments.length
        ? h('ul', {}, view.segments.map((s) => h('li', {}, h('strong', {}, s.name), ` (${s.syncId}): ${number(s.members)} members`, s.lastPageAt ? `, last page ${dateTime(s.lastPageAt)}` : '')))
        : h('p', { class: 'muted' }, 'No segment sync received yet (docs/segments.md).'),
      view.errors.length ? h('ul', { class: 'recent' }, view.errors.map((e) => h('li', {}, `${dateTime(e.at)} `, h('code', {}, e.error), ` ${e.detail}`))) : null,
    );
  } catch (error) {
    fill(out, h('p', { role: 'alert' }, error instanceof ApiError && error.status === 503 ? 'Segment sync is not configured.' : String(error)));
  }
}
