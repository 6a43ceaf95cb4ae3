// Stops the PostgreSQL and Redis that the stack started in .data/ (`npm run stack:stop`).
import { stopServices, readState } from './services.ts';

if (!readState()) console.log('no local services recorded in .data/services.json');
await stopServices();
console.log('stopped');
