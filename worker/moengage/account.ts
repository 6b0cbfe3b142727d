/** The parts of a connection a request to MoEngage needs: where it goes and how it authenticates. */
export interface MoEngageAccount {
  workspaceId: string;
  /** Secret: only ever sent to MoEngage, in the Authorization header. */
  dataApiKey: string;
  /** `01`–`06` or `101`; absent when `apiBase` says where to send. */
  dataCenter?: string;
  /** Overrides `https://api-{dc}.moengage.com` (the sandbox in dev and tests). */
  apiBase?: string;
  /** Portfolio workspaces: `?project_code=` where MoEngage documents it. */
  projectCode?: string;
}

/** Where requests go, without the key: enough to build every URL. */
export type MoEngageWorkspace = Omit<MoEngageAccount, 'dataApiKey'>;
