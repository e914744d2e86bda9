/** `npm start`: the whole Aftersale API on one machine (see lib/local/host.ts). */
import { startLocalHost } from '../lib/local/host.js';
import { seedDemo } from '../lib/local/seed.js';

const port = Number(process.env.PORT ?? 3000);
const verbose = process.env.LOG_REQUESTS !== 'false';
const host = await startLocalHost({ port, background: true, log: (line) => verbose && console.log(line) });
const demo = await seedDemo(host.url, host.tokens);

console.log(`
Aftersale is running on ${host.url}
  API reference   ${host.url}/docs
  OpenAPI         ${host.url}/v1/openapi.json
  Engines         DynamoDB ${host.engines.environment.AWS_ENDPOINT_URL_DYNAMODB}, S3+SQS ${host.engines.environment.AWS_ENDPOINT_URL_SQS}

Demo seller "${demo.sellerId}" has products: ${demo.productIds.join(', ')}
Dev tokens (12 h):
  export BUYER=${demo.tokens.buyer}
  export SELLER=${demo.tokens.seller}
  export ADMIN=${demo.tokens.admin}
More: curl -s -X POST ${host.url}/local/tokens -H 'content-type: application/json' -d '{"userId":"u1","role":"buyer"}'
Press Ctrl-C to stop.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('Stopping…');
  await host.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
