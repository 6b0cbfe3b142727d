import { MoEngageError } from './responses';

export type Credentials = Record<string, string>;

export interface BasicCredentials {
  username: string;
  password: string;
}

/** `Basic base64(user:pass)`; the password may itself contain ':' so only the first one splits. */
export function parseBasicAuth(header: string | null): BasicCredentials | null {
  if (!header) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match?.[1]) return null;
  let decoded: string;
  try {
    const binary = atob(match[1]);
    decoded = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function basicAuthHeader(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

const unauthorized = (message: string) => new MoEngageError(401, 'AuthenticationError', message);

/**
 * MoEngage authenticates the Data API with Basic auth `workspace_id:data_api_key`; the workspace
 * also appears in the URL (path, `?app_id=`, or the optional MOE-APPKEY header) and every place it
 * appears must name the same workspace, or the request is refused before the body is looked at.
 *
 * `claimed` lists the workspace ids the request names outside the Authorization header (the path
 * segment, `app_id`, MOE-APPKEY); absent ones are omitted. Returns the authenticated workspace.
 */
export function authenticate(authorization: string | null, claimed: string[], credentials: Credentials): string {
  if (!authorization) throw unauthorized('Authentication required: the Authorization header is missing.');
  const basic = parseBasicAuth(authorization);
  if (!basic) throw unauthorized('Authentication required: expected "Authorization: Basic base64(workspace_id:data_api_key)".');
  const expectedKey = Object.hasOwn(credentials, basic.username) ? credentials[basic.username] : undefined;
  if (expectedKey === undefined || expectedKey !== basic.password) {
    throw unauthorized('Authentication failed: invalid workspace ID or Data API key.');
  }
  const mismatch = claimed.find((ws) => ws !== basic.username);
  if (mismatch !== undefined) {
    throw unauthorized(`Authentication failed: workspace '${mismatch}' in the request does not match the credentials' workspace.`);
  }
  return basic.username;
}
