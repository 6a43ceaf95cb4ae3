import type { MeResponse } from '@koodi/contracts';
import type { ApiClient } from './api-client.ts';

/** The student as the API sees them; shared by the points badge and the page island. */
export const session = $state<{ me: MeResponse | null }>({ me: null });

export async function refreshSession(api: ApiClient): Promise<MeResponse> {
  const me = await api.me();
  session.me = me;
  return me;
}
