import { createApiClient } from './api-client.ts';

/** The one client the browser uses: same origin, cookies included. */
export const api = createApiClient();
