import { type Issue, Message } from '../../shared/message';
import type { Omission } from '../identity/standardAttributes';
import { enrich } from '../ingest/enrich';
import { issuesOf } from '../ingest/validate';
import {
  type CustomerPayload,
  customerPayload,
  type DeliveryItem,
  type EventItem,
  type EventPayload,
  eventPayload,
  type MergeItem,
  type MergePayload,
  mergePayload,
} from '../moengage/payloads';
import { type MappingOptions, type MapResult, mapMessage } from './map';
import type { Blueprint } from './schema';

/** One request MoEngage would receive: path on the data center's base URL, and the JSON body. */
export interface PreviewRequest {
  method: 'POST';
  path: string;
  body: EventPayload | CustomerPayload | MergePayload;
}

export type Preview =
  | { status: 'invalid'; issues: Issue[] }
  | { status: 'queued'; requests: PreviewRequest[]; omissions: Omission[] }
  /** customer_id is "" in the requests until a message links the anonymousId to a userId. */
  | { status: 'held'; anonymousId: string; requests: PreviewRequest[]; omissions: Omission[]; detail: string }
  | { status: 'dropped'; reason: string; detail: string; requests: []; omissions: Omission[] };

export interface PreviewOptions extends MappingOptions {
  /** Shown in the paths; MoEngage's own placeholder when not given. */
  workspaceId?: string;
  /** A Portfolio project (the connection's `projectCode`): `?project_code=` where MoEngage documents it. */
  projectCode?: string;
}

/**
 * The MoEngage request(s) one message would produce under a blueprint — the same mapping and
 * payload builders as delivery, with nothing sent. Pure: used by the debugger's preview and by
 * `npm run blueprint -- preview`.
 */
export function requestsFor(items: readonly DeliveryItem[], workspaceId = '{workspace_id}', projectCode?: string): PreviewRequest[] {
  const ws = workspaceId === '{workspace_id}' ? workspaceId : encodeURIComponent(workspaceId);
  const project = projectCode ? `?project_code=${encodeURIComponent(projectCode)}` : '';
  const requests: PreviewRequest[] = [];
  const events = new Map<string, EventItem[]>();
  for (const item of items) if (item.kind === 'event') events.set(item.customer_id, [...(events.get(item.customer_id) ?? []), item]);
  for (const group of events.values()) requests.push({ method: 'POST', path: `/v1/event/${ws}${project}`, body: eventPayload(group) });
  for (const item of items) if (item.kind === 'customer') requests.push({ method: 'POST', path: `/v1/customer/${ws}${project}`, body: customerPayload(item) });
  const merges = items.filter((i): i is MergeItem => i.kind === 'merge');
  if (merges.length) requests.push({ method: 'POST', path: `/v1/customer/merge?app_id=${ws}`, body: mergePayload(merges) });
  return requests;
}

export function preview(input: unknown, blueprint: Blueprint, options: PreviewOptions = {}): Preview {
  const parsed = Message.safeParse(input);
  if (!parsed.success) return { status: 'invalid', issues: issuesOf(parsed.error) };
  const now = options.now ?? Date.now();
  const { message, notes, drop } = enrich(parsed.data, now);
  const mapped: MapResult = drop
    ? { status: 'dropped', ...drop, omissions: notes }
    : mapMessage(message, blueprint, { ...options, now });
  if (!drop) mapped.omissions.unshift(...notes);
  switch (mapped.status) {
    case 'dropped':
      return { status: 'dropped', reason: mapped.reason, detail: mapped.detail, requests: [], omissions: mapped.omissions };
    case 'queued':
      return { status: 'queued', requests: requestsFor(mapped.items, options.workspaceId, options.projectCode), omissions: mapped.omissions };
    case 'held':
      return {
        status: 'held',
        anonymousId: message.anonymousId as string,
        requests: requestsFor(mapped.items, options.workspaceId, options.projectCode),
        omissions: mapped.omissions,
        detail: `held while anonymous: sent with customer_id set to the userId that a later message links to anonymousId "${message.anonymousId}", or dropped (anonymous_not_identified) when the hold window ends`,
      };
  }
}
