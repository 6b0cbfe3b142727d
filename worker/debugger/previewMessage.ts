import { LIMITS } from '../../shared/limits';
import type { Config } from '../config/config';
import { mappingOptions } from '../config/mappingSettings';
import { HttpError } from '../http/HttpError';
import { parseJson } from '../ingest/parseJson';
import { type Preview, preview } from '../ingest/preview';
import { readBody } from '../ingest/readBody';
import { apiBase } from '../moengage/endpoints';
import { connectionIds } from './operator';

export interface ConnectionPreview {
  connection: string;
  workspaceId: string;
  /** The blueprint's name (or "inline" for one given as JSON). */
  blueprint: string;
  /** As ingest/preview.ts, packed as this connection's delivery packs; each request also carries the full URL it would be POSTed to. */
  result: Preview;
  urls: string[];
}

/**
 * POST /debugger/api/preview: what each connection makes of one message — exactly the request(s)
 * its delivery would send (its blueprint, its packing, bulk included), or why it would be dropped —
 * without storing or sending anything.
 * Body: the message itself, or `{"message": {...}, "connection"?: id, "visitorCountry"?: "GB"}`.
 *
 * Not masked: it only echoes what the caller just sent, and checking how a phone number is
 * normalised is much of its point.
 */
export async function previewMessage(request: Request, config: Config): Promise<{ connections: ConnectionPreview[] }> {
  const body = parseJson(await readBody(request, { maxBytes: LIMITS.maxMessageBytes * 2, maxDecompressedBytes: LIMITS.maxMessageBytes * 2 }));
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_preview', 'send a message object, or {"message": {...}, "connection"?: "id", "visitorCountry"?: "GB"}');
  }
  const wrapped = 'message' in body && !('type' in body);
  const { message, connection, visitorCountry } = (wrapped ? body : { message: body }) as { message: unknown; connection?: unknown; visitorCountry?: unknown };
  if (connection !== undefined && typeof connection !== 'string') throw new HttpError(400, 'invalid_preview', '"connection" must be a connection id');
  if (visitorCountry !== undefined && (typeof visitorCountry !== 'string' || !/^[A-Za-z]{2}$/.test(visitorCountry))) {
    throw new HttpError(400, 'invalid_preview', '"visitorCountry" must be a two-letter country code (as Cloudflare gives it)');
  }
  const ids = connectionIds(config, connection);
  const connections = config.connections
    .filter((c) => ids.includes(c.id))
    .map((c) => {
      const blueprint = config.blueprints[c.id]!; // every connection has one once the config loaded
      const result = preview(message, blueprint, { ...mappingOptions(c, visitorCountry?.toUpperCase()), workspaceId: c.workspaceId, projectCode: c.projectCode, packing: c.delivery.packing });
      const base = apiBase(c);
      return {
        connection: c.id,
        workspaceId: c.workspaceId,
        blueprint: c.blueprint.trim().startsWith('{') ? 'inline' : c.blueprint,
        result,
        urls: 'requests' in result ? result.requests.map((r) => `${base}${r.path}`) : [],
      };
    });
  return { connections };
}
