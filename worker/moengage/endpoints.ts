import type { MoEngageAccount, MoEngageWorkspace } from './account';

/** `https://api-{dc}.moengage.com`, unless the connection points elsewhere (the sandbox). */
export function apiBase(connection: Pick<MoEngageWorkspace, 'apiBase' | 'dataCenter'>): string {
  return (connection.apiBase ?? `https://api-${connection.dataCenter}.moengage.com`).replace(/\/+$/, '');
}

export function eventUrl(connection: MoEngageWorkspace): string {
  return `${apiBase(connection)}/v1/event/${encodeURIComponent(connection.workspaceId)}`;
}

export function customerUrl(connection: MoEngageWorkspace): string {
  return `${apiBase(connection)}/v1/customer/${encodeURIComponent(connection.workspaceId)}`;
}

export function transitionUrl(connection: MoEngageWorkspace): string {
  return `${apiBase(connection)}/v1/transition/${encodeURIComponent(connection.workspaceId)}`;
}

export function mergeUrl(connection: MoEngageWorkspace): string {
  return `${apiBase(connection)}/v1/customer/merge?app_id=${encodeURIComponent(connection.workspaceId)}`;
}

/** Basic `workspace_id:data_api_key`, as MoEngage's Data API expects. */
export function authorization(connection: Pick<MoEngageAccount, 'workspaceId' | 'dataApiKey'>): string {
  return `Basic ${btoa(`${connection.workspaceId}:${connection.dataApiKey}`)}`;
}

export type Endpoint = 'event' | 'customer' | 'transition' | 'merge';

/** The path of each endpoint requests go to, for a workspace id already fit for a URL. */
export function endpointPath(endpoint: Endpoint, workspace: string): string {
  switch (endpoint) {
    case 'event':
      return `/v1/event/${workspace}`;
    case 'customer':
      return `/v1/customer/${workspace}`;
    case 'transition':
      return `/v1/transition/${workspace}`;
    case 'merge':
      return `/v1/customer/merge?app_id=${workspace}`;
  }
}

/** The URL of each endpoint the packer targets. */
export function endpointUrl(connection: MoEngageWorkspace, endpoint: Endpoint): string {
  return `${apiBase(connection)}${endpointPath(endpoint, encodeURIComponent(connection.workspaceId))}`;
}
