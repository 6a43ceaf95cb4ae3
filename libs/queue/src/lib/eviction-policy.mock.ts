import type { EvictionPolicySource } from './eviction-policy';

/** A Redis that answers CONFIG GET maxmemory-policy and PTTL from fixed values. */
export class FakeEvictionPolicySource implements EvictionPolicySource {
  readonly ttlReads: string[] = [];

  constructor(
    private readonly policy: string | Error,
    private readonly ttls: Record<string, number> = {},
  ) {}

  async config(subcommand: 'GET', parameter: string): Promise<unknown> {
    if (this.policy instanceof Error) throw this.policy;
    return subcommand === 'GET' && parameter === 'maxmemory-policy'
      ? ['maxmemory-policy', this.policy]
      : [];
  }

  async pttl(key: string): Promise<number> {
    this.ttlReads.push(key);
    return this.ttls[key] ?? -2;
  }
}
