import type { Deletion } from './profiles';
import { MoEngageError } from './responses';

/**
 * MoEngage's Delete User API (`POST /v1/customer/delete?app_id={ws}`, Basic auth like every Data
 * API): `{"identity_type": "customer_id" | "moengage_id", "identity_value": "…"}`, one user per
 * request, 5,000 requests per minute. Its answers differ from the other Data APIs and are modelled
 * as documented:
 *   200 {"status":"success","message":"Your request has been accepted and will be processed soon."}
 *   400 {"status":"fail","error":{"message":"User doesn't exists with customer id …","type":"Not Found",…}}
 *   429 {"status":"fail","title":"Rate limit exceeded","description":"Exceeded rate limit for this url"}
 *   5xx {"status":"fail","title":"Internal Error","description":"Please contact the MoEngage team."}
 * The bulk variant (`/v1/customer/delete/bulk`) is published only with this same one-user body and
 * limit, so the sandbox does not model it (404, like any path MoEngage does not have).
 */
export const DELETE_USERS_PER_MINUTE = 5_000;

export const DELETE_ACCEPTED = { status: 'success', message: 'Your request has been accepted and will be processed soon.' } as const;
export const DELETE_RATE_LIMITED = { status: 'fail', title: 'Rate limit exceeded', description: 'Exceeded rate limit for this url' } as const;
export const DELETE_SERVER_ERROR = { status: 'fail', title: 'Internal Error', description: 'Please contact the MoEngage team.' } as const;

const IDENTITY_TYPES = ['customer_id', 'moengage_id'] as const;

export function validateDelete(body: Record<string, unknown>): Deletion {
  const type = body.identity_type;
  if (type === undefined || type === null || type === '') {
    throw new MoEngageError(400, 'MissingAttributeError', "Missing required attribute 'identity_type'.");
  }
  if (!IDENTITY_TYPES.includes(type as (typeof IDENTITY_TYPES)[number])) {
    throw new MoEngageError(400, 'InvalidAttributeError', `Invalid attribute 'identity_type': allowed values are "customer_id" and "moengage_id", got ${JSON.stringify(type)}.`);
  }
  const value = body.identity_value;
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    throw new MoEngageError(400, 'MissingAttributeError', "Missing required attribute 'identity_value'.");
  }
  if (typeof value !== 'string') {
    throw new MoEngageError(400, 'InvalidAttributeError', `Invalid attribute 'identity_value': must be a string, got ${Array.isArray(value) ? 'array' : typeof value}.`);
  }
  const unknown = Object.keys(body).filter((k) => k !== 'identity_type' && k !== 'identity_value');
  if (unknown.length) {
    // One user per request: a list of identities is not the documented body.
    throw new MoEngageError(400, 'InvalidAttributeError', `Invalid attribute '${unknown[0]}': the body takes only identity_type and identity_value (one user per request).`);
  }
  return { identityType: type as Deletion['identityType'], identityValue: value };
}

/** MoEngage's answer for a user it does not have (documented as a 400 with type "Not Found"). */
export function userNotFound(deletion: Deletion): MoEngageError {
  const what = deletion.identityType === 'customer_id' ? 'customer id' : 'moengage id';
  return new MoEngageError(400, 'Not Found', `User doesn't exists with ${what} ${deletion.identityValue}`);
}
