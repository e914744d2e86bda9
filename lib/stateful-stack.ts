/**
 * Everything that holds data and outlives a deployment: the table, the media bucket, the queues, the
 * user pool and the cursor-signing secret. Deployed rarely; the data stores are retained when the
 * stack goes away. The API stack (lib/api-stack.ts) reads these through `StatefulResources`.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolGroup,
  type IUserPool,
  type IUserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, BillingMode, ProjectionType, Table, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { queues as manifestQueues, type QueueName, type Role } from './manifest.js';
import { tableKeys } from './table.js';
import { DeadLetteredQueue } from './constructs/dead-lettered-queue.js';
import { mediaPrefixes } from './constructs/media-prefixes.js';

/** The groups a user can belong to; the JWT carries them in `cognito:groups`. */
export const userGroups: readonly Role[] = ['buyer', 'seller', 'admin'];

export interface QueueDeclaration {
  readonly description: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

/** What the API stack needs from the stateful one. */
export interface StatefulResources {
  readonly table: ITable;
  readonly bucket: IBucket;
  /**
   * Name of the CloudFormation export that carries the media bucket ARN. Object-level grants import it
   * by this stable name, so their unavoidable `…/*` resource has a stable cdk-nag finding id to acknowledge.
   */
  readonly bucketArnExportName: string;
  readonly queues: Readonly<Record<QueueName, DeadLetteredQueue>>;
  readonly userPool: IUserPool;
  readonly userPoolClient: IUserPoolClient;
  readonly cursorSecret: ISecret;
}

export interface StatefulStackProps extends StackProps {
  /** Deployment stage, e.g. `dev` or `prod`. */
  readonly stage: string;
  /** Queues to create; defaults to `queues` from lib/manifest.ts. */
  readonly queues?: Readonly<Record<QueueName, QueueDeclaration>>;
  /**
   * A table restored from a point in time (docs/runbook.md) that the stage uses instead of the one this
   * stack created: the stack stops declaring its own (retained, so it stays in the account as it was)
   * and every function reads and writes the restored one.
   */
  readonly restoredTableName?: string;
  /**
   * Where Cognito's managed login may send users back with an authorization code (https, or http on
   * localhost). Without any, the app client has no OAuth flow at all: clients sign in with SRP.
   */
  readonly callbackUrls?: readonly string[];
}

/** The stage whose user pool runs Cognito threat protection in enforcing mode (Plus feature plan). */
const THREAT_PROTECTED_STAGE = 'prod';

export class StatefulStack extends Stack implements StatefulResources {
  readonly stage: string;
  readonly table: ITable;
  readonly bucket: Bucket;
  readonly accessLogBucket: Bucket;
  readonly bucketArnExportName: string;
  readonly queues: Readonly<Record<QueueName, DeadLetteredQueue>>;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  readonly cursorSecret: Secret;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    this.stage = props.stage;

    this.table = props.restoredTableName ? Table.fromTableName(this, 'RestoredTable', props.restoredTableName) : this.createTable();
    ({ bucket: this.bucket, accessLogBucket: this.accessLogBucket } = this.createBuckets());
    this.bucketArnExportName = `${this.stackName}-MediaBucketArn`;
    this.exportValue(this.bucket.bucketArn, { name: this.bucketArnExportName });

    const declared = props.queues ?? manifestQueues;
    const queues = {} as Record<QueueName, DeadLetteredQueue>;
    for (const name of Object.keys(declared) as QueueName[]) {
      const spec = declared[name];
      queues[name] = new DeadLetteredQueue(this, `${capitalize(name)}Queue`, {
        description: spec.description,
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        maxReceiveCount: spec.maxReceiveCount,
      });
    }
    this.queues = queues;

    ({ userPool: this.userPool, userPoolClient: this.userPoolClient } = this.createUserPool(props.callbackUrls ?? []));

    this.cursorSecret = new Secret(this, 'CursorSecret', {
      description: `Aftersale ${props.stage}: HMAC key that signs list pagination cursors`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The cursor key only authenticates opaque pagination cursors (no data access); it is injected into the functions at deploy time, so rotation would need a redeploy and would invalidate every outstanding cursor. Rotate with a new secret version and an API deploy pinned to it (docs/runbook.md).',
    });

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
  }

  private createTable(): Table {
    const table = new Table(this, 'Table', {
      partitionKey: { name: tableKeys.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableKeys.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: tableKeys.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of tableKeys.globalIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
    return table;
  }

  private createBuckets(): { bucket: Bucket; accessLogBucket: Bucket } {
    const accessLogBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Server access log delivery only supports SSE-S3 on the target bucket.
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const bucket = new Bucket(this, 'Media', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: accessLogBucket,
      serverAccessLogsPrefix: 'media/',
      // Browsers upload with presigned POSTs and read with presigned GETs; the signature, not CORS, is the guard.
      cors: [
        {
          allowedMethods: [HttpMethods.POST, HttpMethods.GET],
          allowedOrigins: ['*'],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag', 'Location'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // A client upload is copied out of incoming/ when it is used, so whatever is there after a day was
        // never used or is an original already copied. S3 runs expirations once a day: gone within 48 h.
        {
          id: 'ExpireIncoming',
          prefix: mediaPrefixes.incoming,
          expiration: Duration.days(1),
          noncurrentVersionExpiration: Duration.days(1),
        },
        // Versions replaced or deleted elsewhere are kept a month; then their lone delete markers go too.
        { id: 'ExpireNoncurrent', noncurrentVersionExpiration: Duration.days(30), expiredObjectDeleteMarker: true },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    return { bucket, accessLogBucket };
  }

  private createUserPool(callbackUrls: readonly string[]): { userPool: UserPool; userPoolClient: UserPoolClient } {
    for (const url of callbackUrls) assertCallbackUrl(url);
    const threatProtected = this.stage === THREAT_PROTECTED_STAGE;
    const userPool = new UserPool(this, 'Users', {
      userPoolName: `aftersale-${this.stage}`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        passwordHistorySize: 5,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Threat protection (compromised credentials, risky sign-ins blocked or challenged) needs the Plus
      // plan, billed per monthly active user: enforced where real users sign in.
      featurePlan: threatProtected ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(threatProtected && { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION }),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional (TOTP offered to every user): buyers must be able to sign in with email and password alone. Accounts are provisioned (no self sign-up) and the password policy is strong.',
    });
    if (!threatProtected) {
      Validations.of(userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason: `Essentials plan in the ${this.stage} stage: threat protection (Plus plan, billed per monthly active user) is enforced in the ${THREAT_PROTECTED_STAGE} stage, where real users sign in; this stage holds provisioned test accounts only.`,
      });
    }

    for (const groupName of userGroups) {
      new UserPoolGroup(this, `${capitalize(groupName)}Group`, { userPool, groupName });
    }

    const userPoolClient = userPool.addClient('AppClient', {
      generateSecret: false,
      // SRP only: the password itself never leaves the client. Refresh-token sign-in comes with it.
      authFlows: { userSrp: true },
      // Without this, CDK configures the implicit grant and an example.com callback.
      ...(callbackUrls.length > 0
        ? { oAuth: { flows: { authorizationCodeGrant: true }, scopes: [OAuthScope.OPENID, OAuthScope.EMAIL], callbackUrls: [...callbackUrls] } }
        : { disableOAuth: true }),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    return { userPool, userPoolClient };
  }
}

/** Cognito takes http only on localhost; anything else must be https, with no placeholder host. */
function assertCallbackUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`Callback URL ${JSON.stringify(value)} is not a URL`);
  }
  const local = url.protocol === 'http:' && url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !local) throw new Error(`Callback URL ${value} must use https (http only on localhost)`);
  if (/(^|\.)example\.(com|org|net)$/.test(url.hostname)) throw new Error(`Callback URL ${value} names a placeholder domain`);
  if (url.hash) throw new Error(`Callback URL ${value} must not have a fragment`);
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
