import type { Connection } from '../config/connections';

/** `https://api-{dc}.moengage.com`, unless the connection points elsewhere (the sandbox). */
export function apiBase(connection: Pick<Connection, 'apiBase' | 'dataCenter'>): string {
  return (connection.apiBase ?? `https://api-${connection.dataCenter}.moengage.com`).replace(/\/+$/, '');
}

export function eventUrl(connection: Connection): string {
  return `${apiBase(connection)}/v1/event/${encodeURIComponent(connection.workspaceId)}`;
}

export function customerUrl(connection: Connection): string {
  return `${apiBase(connection)}/v1/customer/${encodeURIComponent(connection.workspaceId)}`;
}

export function transitionUrl(connection: Connection): string {
  return `${apiBase(connection)}/v1/transition/${encodeURIComponent(connection.workspaceId)}`;
}

export function mergeUrl(connection: Connection): string {
  return `${apiBase(connection)}/v1/customer/merge?app_id=${encodeURIComponent(connection.workspaceId)}`;
}

/** Basic `workspace_id:data_api_key`, as MoEngage's Data API expects. */
export function authorization(connection: Pick<Connection, 'workspaceId' | 'dataApiKey'>): string {
  return `Basic ${btoa(`${connection.workspaceId}:${connection.dataApiKey}`)}`;
}

/** The URL of each endpoint the packer targets. */
export function endpointUrl(connection: Connection, endpoint: 'event' | 'customer' | 'transition' | 'merge'): string {
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
