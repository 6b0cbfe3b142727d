import type { MoEngageAccount, MoEngageWorkspace } from './account';

/** `https://api-{dc}.moengage.com`, unless the connection points elsewhere (the sandbox). */
export function apiBase(connection: Pick<MoEngageWorkspace, 'apiBase' | 'dataCenter'>): string {
  return (connection.apiBase ?? `https://api-${connection.dataCenter}.moengage.com`).replace(/\/+$/, '');
}

export type Endpoint = 'event' | 'customer' | 'transition' | 'merge';

/**
 * The path of each endpoint requests go to, for a workspace id already fit for a URL. Portfolio
 * workspaces: MoEngage's Track User and Create Event references, and its Portfolio guide for Bulk
 * Import, take the project as `?project_code=` on the endpoint. Merge User and Delete User do not
 * document it, so it is not sent there (docs/moengage.md).
 */
export function endpointPath(endpoint: Endpoint, workspace: string, projectCode?: string): string {
  const project = projectCode ? `?project_code=${encodeURIComponent(projectCode)}` : '';
  switch (endpoint) {
    case 'event':
      return `/v1/event/${workspace}${project}`;
    case 'customer':
      return `/v1/customer/${workspace}${project}`;
    case 'transition':
      return `/v1/transition/${workspace}${project}`;
    case 'merge':
      return `/v1/customer/merge?app_id=${workspace}`;
  }
}

/** The URL of each endpoint the packer targets. */
export function endpointUrl(connection: MoEngageWorkspace, endpoint: Endpoint): string {
  return `${apiBase(connection)}${endpointPath(endpoint, encodeURIComponent(connection.workspaceId), connection.projectCode)}`;
}

export const eventUrl = (connection: MoEngageWorkspace): string => endpointUrl(connection, 'event');
export const customerUrl = (connection: MoEngageWorkspace): string => endpointUrl(connection, 'customer');
export const transitionUrl = (connection: MoEngageWorkspace): string => endpointUrl(connection, 'transition');
export const mergeUrl = (connection: MoEngageWorkspace): string => endpointUrl(connection, 'merge');

/** MoEngage's Delete User API: one user per request, the workspace as `?app_id=` (moengage/deleteUser.ts). */
export function deleteUserUrl(connection: MoEngageWorkspace): string {
  return `${apiBase(connection)}/v1/customer/delete?app_id=${encodeURIComponent(connection.workspaceId)}`;
}

/** Basic `workspace_id:data_api_key`, as MoEngage's Data API expects. */
export function authorization(connection: Pick<MoEngageAccount, 'workspaceId' | 'dataApiKey'>): string {
  return `Basic ${btoa(`${connection.workspaceId}:${connection.dataApiKey}`)}`;
}
