import type {
  ConnectionCredentials,
  ConnectionSecrets,
  CredentialVault,
  Rotation,
} from '../../src/connectors/credentials.ts';

/** A vault in memory with the same rotate contract as the store's: one rotation at a time. */
export class MemoryVault implements CredentialVault {
  status: { status: string; message?: string } = { status: 'active' };
  private lock: Promise<unknown> = Promise.resolve();
  constructor(private creds: ConnectionCredentials) {}
  async get(): Promise<ConnectionCredentials> {
    return structuredClone(this.creds);
  }
  rotate(
    _id: string,
    fn: (c: ConnectionCredentials, r: Rotation) => Promise<ConnectionSecrets | null>,
  ): Promise<ConnectionCredentials> {
    const run = this.lock.then(async () => {
      let settings = this.creds.settings;
      const next = await fn(structuredClone(this.creds), {
        updateSettings: (patch) => (settings = { ...settings, ...patch }),
      });
      if (next)
        this.creds = {
          ...this.creds,
          settings,
          secrets: { ...this.creds.secrets, ...next },
          tokenVersion: this.creds.tokenVersion + 1,
        };
      return structuredClone(this.creds);
    });
    this.lock = run.catch(() => {});
    return run;
  }
  async setStatus(_id: string, status: 'active' | 'needs-reauth' | 'error', message?: string): Promise<void> {
    this.status = { status, message };
  }
}
