/** The policy and trusted-key endpoints of /api/v1, for `portcullis policy` and `portcullis trust`. */
import { ApiClient } from './client.js';
import type { ApiClientOptions } from './client.js';

export interface PolicyView {
  project: string | null;
  origin: 'project' | 'system' | 'default';
  version: number | null;
  author: string | null;
  created_at: string | null;
  policy: Record<string, unknown>;
  source?: string;
}

export interface PolicyVersionView {
  version: number;
  author: string;
  created_at: string;
}

export interface TrustedKeyView {
  name: string;
  key_id: string;
  public_key: string;
  added_by: string;
  created_at: string;
}

export { connectionFrom, type ConnectionOptions } from './client.js';

const projectPath = (project: string) => `/projects/${encodeURIComponent(project)}`;

export class PolicyApiClient {
  constructor(private readonly api: ApiClient) {}

  static connect(opts: ApiClientOptions): PolicyApiClient {
    return new PolicyApiClient(new ApiClient(opts));
  }

  /** The effective policy, or one stored version. */
  async get(project: string, version?: number): Promise<PolicyView> {
    const path = version === undefined ? `${projectPath(project)}/policy` : `${projectPath(project)}/policy/versions/${version}`;
    return (await this.api.request<PolicyView>('GET', path)).data;
  }

  /** Stores the text (YAML or JSON) as the project's next version; the server validates it. */
  async set(project: string, text: string): Promise<PolicyView> {
    return (await this.api.request<PolicyView>('PUT', `${projectPath(project)}/policy`, text)).data;
  }

  async history(project: string): Promise<PolicyVersionView[]> {
    return (await this.api.request<PolicyVersionView[]>('GET', `${projectPath(project)}/policy/versions`)).data;
  }

  async getSystem(): Promise<PolicyView> {
    return (await this.api.request<PolicyView>('GET', '/system/policy')).data;
  }

  async setSystem(text: string): Promise<PolicyView> {
    return (await this.api.request<PolicyView>('PUT', '/system/policy', text)).data;
  }

  async listKeys(project: string): Promise<TrustedKeyView[]> {
    return (await this.api.request<TrustedKeyView[]>('GET', `${projectPath(project)}/keys`)).data;
  }

  async addKey(project: string, name: string, pem: string): Promise<TrustedKeyView> {
    return (await this.api.request<TrustedKeyView>('POST', `${projectPath(project)}/keys`, { name, key: pem })).data;
  }

  async removeKey(project: string, name: string): Promise<void> {
    await this.api.request('DELETE', `${projectPath(project)}/keys/${encodeURIComponent(name)}`);
  }
}
