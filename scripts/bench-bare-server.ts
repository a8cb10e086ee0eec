// Child of `npm run bench`: the baseline. The same fastify, logger settings and body limit as
// the service, one POST /api/ask route that parses the same JSON body and answers a constant:
// no validation, no plugins, no understanding, no database.
//   PORT=… node dist/scripts/bench-bare-server.js
import Fastify from 'fastify';
import { pino } from 'pino';

const app = Fastify({ loggerInstance: pino({ level: process.env.LOG_LEVEL || 'info' }), bodyLimit: 64 * 1024 });
app.post('/api/ask', async () => ({ reply: '收到', intent: 'fallback', measures: [] }));
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
