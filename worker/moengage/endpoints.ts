import type { Connection } from '../config/connections';

type Addressed = Pick<Connection, 'apiBase' | 'dataCenter' | 'workspaceId'> & Partial<Pick<Connection, 'projectCode'>>;

/** `https://api-{dc}.moengage.com`, unless the connection points elsewhere (the sandbox). */
export function apiBase(connection: Pick<Connection, 'apiBase' | 'dataCenter'>): string {
  return (connection.apiBase ?? `https://api-${connection.dataCenter}.moengage.com`).replace(/\/+$/, '');
}

/**
 * Portfolio workspaces: MoEngage's Track User and Create Event references, and its Portfolio guide
 * for Bulk Import, take the project as `?project_code=` on the endpoint. Merge User and Delete User
 * do not document it, so it is not sent there (docs/moengage.md).
 */
function withProject(url: string, connection: Addressed): string {
  return connection.projectCode ? `${url}?project_code=${encodeURIComponent(connection.projectCode)}` : url;
}

export function eventUrl(connection: Addressed): string {
  return withProject(`${apiBase(connection)}/v1/event/${encodeURIComponent(connection.workspaceId)}`, connection);
}

export function customerUrl(connection: Addressed): string {
  return withProject(`${apiBase(connection)}/v1/customer/${encodeURIComponent(connection.workspaceId)}`, connection);
}

export function transitionUrl(connection: Addressed): string {
  return withProject(`${apiBase(connection)}/v1/transition/${encodeURIComponent(connection.workspaceId)}`, connection);
}

export function mergeUrl(connection: Addressed): string {
  return `${apiBase(connection)}/v1/customer/merge?app_id=${encodeURIComponent(connection.workspaceId)}`;
}

/** MoEngage's Delete User API: one user per request, the workspace as `?app_id=` (moengage/deleteUser.ts). */
export function deleteUserUrl(connection: Addressed): string {
  return `${apiBase(connection)}/v1/customer/delete?app_id=${encodeURIComponent(connection.workspaceId)}`;
}

/** Basic `workspace_id:data_api_key`, as MoEngage's Data API expects. */
export function authorization(connection: Pick<Connection, 'workspaceId' | 'dataApiKey'>): string {
  return `Basic ${btoa(`${connection.workspaceId}:${connection.dataApiKey}`)}`;
}

/** The URL of each endpoint the packer targets. */
export function endpointUrl(connection: Addressed, endpoint: 'event' | 'customer' | 'transition' | 'merge'): string {
  switch (endpoint) {
    case 'event':
      return eventUrl(connection);
    case 'customer':
      return customerUrl(connection);
    case 'transition':
      return transitionUrl(connection);
    case 'merge':
      return mergeUrl(connection);
  }
}
