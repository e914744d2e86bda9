import { monotonicFactory } from 'ulid';
import { clock } from './clock.js';

export type IdPrefix = 'ord' | 'rev' | 'dsp' | 'prd' | 'cnv' | 'upl' | 'rfd' | 'msg' | 'pen' | 'ntf';

const nextUlid = monotonicFactory();

/** ULID-based ids with a type prefix (API.md), time-ordered by the platform clock. */
export const newId = (prefix: IdPrefix): string => `${prefix}_${nextUlid(clock.now().getTime())}`;
