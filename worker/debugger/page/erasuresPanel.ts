/** The erasures panel: each MoEngage Delete User request, the exact request sent (key redacted) and MoEngage's answer. */
import type { ErasuresView } from '../views';
import { get } from './api';
import { byId, fill, h } from './dom';
import { answerText, dateTime, json } from './format';

type Request = ErasuresView['connections'][number]['requests'][number];

function attempt(a: Request['attempts'][number]): HTMLElement {
  const sent = `${a.request.method} ${a.request.url}\n${Object.entries(a.request.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${json(a.request.body)}`;
  return h(
    'li',
    { class: 'erasure-attempt' },
    `${dateTime(a.at)} `,
    h('strong', { class: 'answer-status' }, a.status ? answerText(a.status) : `no answer: ${a.error ?? ''}`),
    h('pre', { class: 'erasure-request' }, sent),
    h('pre', { class: 'erasure-response' }, json(a.response)),
  );
}

function request(connection: string, r: Request, several: boolean): HTMLElement {
  const state = r.state === 'waiting' ? `waiting${r.nextAttemptAt ? `, next try ${dateTime(r.nextAttemptAt)}` : ''}` : r.state;
  return h(
    'li',
    { class: `erasure e-${r.state}`, 'data-customer': r.customerId },
    several ? h('code', {}, `${connection} `) : null,
    h('strong', {}, r.customerId),
    ` · ${state}`,
    r.reason ? ` · ${r.reason}: ${r.detail ?? ''}` : r.detail ? ` · ${r.detail}` : '',
    r.attempts.length ? h('ul', {}, r.attempts.map(attempt)) : null,
  );
}

export async function loadErasures(several: boolean): Promise<void> {
  const out = byId('erasures-body');
  try {
    const view = await get<ErasuresView>('/debugger/api/users/erasures?limit=20');
    const all = view.connections.flatMap((c) => c.requests.map((r) => ({ connection: c.connection, r }))).sort((a, b) => b.r.queuedAt - a.r.queuedAt);
    fill(
      out,
      h('p', { class: 'muted' }, 'POST /debugger/api/users/erase forgets a user here and queues MoEngage’s Delete User per connection (docs/debugger.md “Erasure”).'),
      all.length ? h('ul', { class: 'erasures' }, all.map(({ connection, r }) => request(connection, r, several))) : h('p', { class: 'muted' }, 'No erasure yet.'),
    );
  } catch (error) {
    fill(out, h('p', { role: 'alert' }, String(error)));
  }
}
