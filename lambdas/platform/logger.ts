import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs; every line of a request carries its correlation id (set in platform/http.ts). */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'aftersale' });
