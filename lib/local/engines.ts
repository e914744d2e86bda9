/**
 * The embedded AWS engines: dynalite (+ our transaction layer) for DynamoDB, fauxqs for S3 and SQS.
 * They speak the AWS wire protocols, so handlers' SDK clients and signed requests reach them through the
 * standard AWS_ENDPOINT_URL_* variables. Resources are created from the same definitions CDK deploys.
 */
import { CreateTableCommand, DynamoDBClient, type GlobalSecondaryIndex } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp as buildFauxqs, interceptLocalhostDns } from 'fauxqs';
import { queues, type QueueName } from '../manifest.js';
import { tableKeys } from '../table.js';
import { startDynamoDb } from './dynamodb-engine.js';

export interface Engines {
  tableName: string;
  bucketName: string;
  queueUrls: Record<QueueName, string>;
  dlqUrls: Record<QueueName, string>;
  /** Environment variables for SDK clients and handlers. */
  environment: Record<string, string>;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

async function createTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials });
  const attributes = new Set<string>([tableKeys.partitionKey, tableKeys.sortKey]);
  const indexes: GlobalSecondaryIndex[] = tableKeys.globalIndexes.map((index) => {
    attributes.add(index.partitionKey).add(index.sortKey);
    return {
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    };
  });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: tableKeys.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableKeys.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: indexes,
    }),
  );
  client.destroy();
}

async function createQueues(endpoint: string): Promise<{ queueUrls: Record<QueueName, string>; dlqUrls: Record<QueueName, string> }> {
  const client = new SQSClient({ endpoint, region: REGION, credentials });
  const queueUrls = {} as Record<QueueName, string>;
  const dlqUrls = {} as Record<QueueName, string>;
  for (const [name, spec] of Object.entries(queues) as [QueueName, (typeof queues)[QueueName]][]) {
    const dlq = await client.send(new CreateQueueCommand({ QueueName: `aftersale-${name}-dlq` }));
    const dlqUrl = dlq.QueueUrl as string;
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    const queue = await client.send(
      new CreateQueueCommand({
        QueueName: `aftersale-${name}`,
        Attributes: {
          VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: spec.maxReceiveCount }),
        },
      }),
    );
    queueUrls[name] = queue.QueueUrl as string;
    dlqUrls[name] = dlqUrl;
  }
  client.destroy();
  return { queueUrls, dlqUrls };
}

export async function startEngines(): Promise<Engines> {
  const tableName = 'aftersale-local';
  const bucketName = 'aftersale-local-files';
  const dynamo = await startDynamoDb();
  const restoreDns = interceptLocalhostDns();
  const fauxqs = await startS3AndSqs();
  // An IP endpoint makes S3 URLs path-style (store/files.ts, the SDK alike): reachable by every HTTP client, unlike `<bucket>.s3.localhost`.
  const s3Endpoint = `http://127.0.0.1:${fauxqs.port}`;
  await createTable(dynamo.endpoint, tableName);
  const s3 = new S3Client({ endpoint: s3Endpoint, region: REGION, credentials });
  await s3.send(new CreateBucketCommand({ Bucket: bucketName }));
  await s3
    .send(new PutBucketCorsCommand({ Bucket: bucketName, CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET', 'POST'], AllowedOrigins: ['*'], AllowedHeaders: ['*'] }] } }))
    .catch(() => undefined); // CORS is advisory locally; the emulator may not implement it.
  s3.destroy();
  // fauxqs names queues http://sqs.<region>.localhost:<port>/…; using the same host as the endpoint keeps
  // the SDK from warning that the queue URL and the endpoint differ.
  const sqsEndpoint = `http://sqs.${REGION}.localhost:${fauxqs.port}`;
  const { queueUrls, dlqUrls } = await createQueues(sqsEndpoint);
  const environment: Record<string, string> = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    TABLE_NAME: tableName,
    BUCKET_NAME: bucketName,
    ...Object.fromEntries(Object.entries(queueUrls).map(([name, url]) => [`QUEUE_URL_${name.toUpperCase()}`, url])),
  };
  return {
    tableName,
    bucketName,
    queueUrls,
    dlqUrls,
    environment,
    async stop() {
      await fauxqs.close();
      await dynamo.stop();
      restoreDns();
    },
  };
}

/**
 * fauxqs's own `startFauxqs` listens on every interface (0.0.0.0); the engines hold everyone's uploads and
 * queues unauthenticated, so they listen on loopback only — the same app, bound by us.
 */
async function startS3AndSqs(): Promise<{ port: number; close(): Promise<void> }> {
  const app = buildFauxqs({ logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('fauxqs did not bind a TCP port');
  return { port: address.port, close: () => app.close() };
}
