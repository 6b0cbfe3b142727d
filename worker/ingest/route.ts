import type { IRequest } from 'itty-router';
import { MessageTypes, type MessageType } from '../../shared/message';
import { clientIpOf } from '../abuse/clientIp';
import { limitIngest } from '../abuse/ingestRateLimit';
import type { Config } from '../config/config';
import { ConfigError } from '../config/ConfigError';
import type { Env } from '../env';
import { corsHeaders, preflight } from '../http/cors';
import { errorResponse, HttpError } from '../http/HttpError';
import { QuietHttpError, rateLimited } from '../http/rateLimited';
import { checkContentType } from './contentType';
import { ingest, type IngestShape } from './ingest';
import { observeRefusal } from './observeRefusal';
import { logRejection } from './rejections';

/**
 * The ingest routes' outer shell, cheapest checks first: origin → per-address rate limit → content
 * type, then the pipeline in ingest.ts. Every refusal is a JSON `{error, detail}` with CORS headers
 * (so the tag can read it), and is counted in the debugger's rejection log.
 */
export function ingestRoute(shapeOf: (req: IRequest) => IngestShape) {
  return async (req: IRequest, env: Env, ctx: ExecutionContext, config: Config): Promise<Response> => {
    let cors: Record<string, string> = {};
    try {
      cors = corsHeaders(req, config);
      // Malformed settings ingest needs answer 503 first. Not counted as a refused request: the
      // fault is the collector's, and /healthz and the debugger show it.
      const misconfigured = ingestProblem(config);
      if (misconfigured) return withHeaders(errorResponse(misconfigured), cors);
      const ip = clientIpOf(req);
      if (ip) {
        const decision = await limitIngest('ip', ip, env, config);
        if (!decision.allowed) throw rateLimited('client address', decision.retryAfterSeconds, decision.firstRefusal);
      }
      checkContentType(req.headers.get('content-type'));
      return Response.json(await ingest(req, env, config, shapeOf(req)), { headers: cors });
    } catch (error) {
      const response = error instanceof HttpError ? error.toResponse(cors) : withHeaders(errorResponse(error), cors);
      observeRefusal(env, ctx, req, response.status, error instanceof HttpError ? error.error : 'internal_error');
      if (!(error instanceof QuietHttpError)) await logRejection(env, req, response);
      return response;
    }
  };
}

/** `POST /v1/:type`: one message of that type. */
export function singleShape(req: IRequest): IngestShape {
  const type = req.params.type as MessageType;
  if (!MessageTypes.includes(type)) {
    throw new HttpError(404, 'unknown_type', `no ingest route /v1/${String(type).slice(0, 40)}; use one of ${MessageTypes.join(', ')} or batch`);
  }
  return { kind: 'single', type };
}

export function preflightRoute(req: IRequest, env: Env, ctx: ExecutionContext, config: Config): Promise<Response> | Response {
  try {
    return preflight(req, config);
  } catch (error) {
    const response = error instanceof HttpError ? error.toResponse() : errorResponse(error);
    observeRefusal(env, ctx, req, response.status, error instanceof HttpError ? error.error : 'internal_error');
    return logRejection(env, req, response).then(() => response);
  }
}

/** The first malformed section of the settings ingest reads (connections, blueprints, limits), if any. */
function ingestProblem(config: Config): ConfigError | null {
  try {
    void config.blueprints;
    void config.botPolicy;
    return null;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
  return response;
}
