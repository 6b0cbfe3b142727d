import type { Issue } from '../../shared/message';
import type { MappingOptions } from '../blueprints/map';
import type { Blueprint } from '../blueprints/schema';
import { pack, type Packing } from '../delivery/packer';
import { endpointPath } from '../moengage/endpoints';
import type { Omission } from '../moengage/omission';
import type { CustomerPayload, EventPayload, MergePayload, TransitionPayload } from '../moengage/payloads';
import { prepare, recordsFor } from './prepare';

/** One request MoEngage would receive: path on the data center's base URL, and the JSON body. */
export interface PreviewRequest {
  method: 'POST';
  path: string;
  body: EventPayload | CustomerPayload | TransitionPayload | MergePayload;
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
  /** The connection's DELIVERY_PACKING (default auto): bulk shows the /v1/transition body delivery would send. */
  packing?: Packing;
}

/**
 * The MoEngage request(s) one message would produce — the same preparation as ingest (validate →
 * enrich → map, ingest/prepare.ts) and the same packing and endpoints as delivery, with nothing
 * stored or sent. Used by the debugger's preview and by `npm run blueprint -- preview`.
 */
export function preview(input: unknown, blueprint: Blueprint, options: PreviewOptions = {}): Preview {
  const now = options.now ?? Date.now();
  const prepared = prepare(input, { kind: 'message' }, now);
  const invalid = prepared.rejected[0];
  if (invalid) return { status: 'invalid', issues: invalid.issues };
  const [record] = recordsFor(prepared, { blueprint, options: { ...options, now }, anonymousHoldMinutes: 0 });
  const { outcome } = record!;
  if (outcome.status === 'dropped') return { status: 'dropped', reason: outcome.reason, detail: outcome.detail, requests: [], omissions: outcome.omissions };
  const workspace = options.workspaceId === undefined ? '{workspace_id}' : encodeURIComponent(options.workspaceId);
  const packed = pack(
    outcome.items.map((item, key) => ({ key, item })),
    { packing: options.packing ?? 'auto' },
  );
  const requests = packed.requests.map((r): PreviewRequest => ({ method: 'POST', path: endpointPath(r.endpoint, workspace, options.projectCode), body: r.body }));
  const omissions = [
    ...outcome.omissions,
    ...packed.tooLarge.map((t) => ({ reason: 'payload_too_large', detail: `this event alone makes a ${t.bytes}-byte request; MoEngage accepts at most ${t.limit} bytes (128 KB)` })),
  ];
  if (outcome.status === 'queued') return { status: 'queued', requests, omissions };
  const anonymousId = record!.anonymousId as string;
  return {
    status: 'held',
    anonymousId,
    requests,
    omissions,
    detail: `held while anonymous: sent with customer_id set to the userId that a later message links to anonymousId "${anonymousId}", or dropped (anonymous_not_identified) when the hold window ends`,
  };
}
