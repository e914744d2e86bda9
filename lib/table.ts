/**
 * The one DynamoDB table, described once: the CDK stateful stack and the local host both build it from here.
 * Keys are generic (PK/SK plus overloaded GSIs) so every entity shares them; see docs/architecture.md
 * for which entity puts what in which key.
 */
export const tableKeys = {
  partitionKey: 'PK',
  sortKey: 'SK',
  globalIndexes: [
    { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
    { indexName: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK' },
  ],
  timeToLiveAttribute: 'expiresAt',
} as const;

export type IndexName = (typeof tableKeys.globalIndexes)[number]['indexName'];
