import { describe, expect, it } from 'vitest';
import { costPerMillion, mixUnits, PRICES, REFERENCE_UNITS } from '../../scripts/bench/cost.js';
import { indexWriteUnits, itemBytes, unitsOf } from '../../scripts/bench/recorder.js';

const row = (label: string, units: { read: number; write: number; indexWrite: number }) => ({ label, summary: { calls: 1, byOperation: {}, capacity: units.read + units.write, units } });
const padded = (bytes: number) => 'x'.repeat(bytes);

describe('cost per million requests', () => {
  it('prices the reference endpoint (one read, one write) at about $2.3 per million', () => {
    const cost = costPerMillion(REFERENCE_UNITS, { memoryMb: 1024, billedMs: 25 });
    expect(cost.dynamoDb).toBeCloseTo(0.625 + 0.125, 9);
    expect(cost.httpApi).toBeCloseTo(1, 9);
    expect(cost.lambdaRequests).toBeCloseTo(0.2, 9);
    expect(cost.lambdaDuration).toBeCloseTo(1e6 * 1 * 0.025 * PRICES.lambdaGbSecondArm, 9);
    expect(cost.total).toBeCloseTo(2.283, 3);
  });

  it('bills index writes as write units and scales duration with memory', () => {
    const plain = costPerMillion({ read: 0, write: 2, indexWrite: 0 }, { memoryMb: 512, billedMs: 100 });
    const indexed = costPerMillion({ read: 0, write: 2, indexWrite: 3 }, { memoryMb: 512, billedMs: 100 });
    expect(indexed.dynamoDb - plain.dynamoDb).toBeCloseTo(3 * 0.625, 9);
    expect(plain.lambdaDuration).toBeCloseTo(1e6 * 0.5 * 0.1 * PRICES.lambdaGbSecondArm, 9);
  });

  it("averages the mix's units by share, and refuses a mix it cannot price", () => {
    const rows = [row('get', { read: 1, write: 0, indexWrite: 0 }), row('put', { read: 0.5, write: 10, indexWrite: 4 })];
    expect(mixUnits(rows, [{ label: 'get', share: 75 }, { label: 'put', share: 25 }])).toEqual({ read: 0.875, write: 2.5, indexWrite: 1 });
    expect(() => mixUnits(rows, [{ label: 'get', share: 50 }])).toThrow(/sums to 50/);
    expect(() => mixUnits(rows, [{ label: 'get', share: 50 }, { label: 'missing', share: 50 }])).toThrow(/missing/);
    expect(() => mixUnits([{ label: 'get', summary: { calls: 1, byOperation: {}, capacity: 1 } }], [{ label: 'get', share: 100 }])).toThrow(/with units/);
  });
});

describe('request units counted by the bench recorder', () => {
  it('sizes items by attribute names and values', () => {
    expect(itemBytes({ PK: { S: 'ORDER#1' } })).toBe(2 + 7);
    expect(itemBytes({ n: { N: '1234' } })).toBe(1 + 3);
    expect(itemBytes({ ok: { BOOL: true }, l: { L: [{ S: 'ab' }] } })).toBe(2 + 1 + 1 + 3 + 1 + 2);
    expect(itemBytes({ m: { M: { a: { S: 'b' } } } })).toBe(1 + 3 + 1 + 1 + 1);
  });

  it('charges an index write per index an item enters, changes in or leaves, by KB', () => {
    const indexed = (sk: string, bytes = 10) => ({ PK: { S: 'P' }, SK: { S: 'S' }, GSI1PK: { S: 'G' }, GSI1SK: { S: sk }, body: { S: padded(bytes) } });
    const small = indexed('a');
    const large = indexed('a', 2000);
    expect(indexWriteUnits(undefined, { PK: { S: 'P' }, SK: { S: 'S' } })).toBe(0);
    expect(indexWriteUnits(undefined, small)).toBe(1);
    expect(indexWriteUnits(undefined, large)).toBe(2);
    expect(indexWriteUnits(small, large)).toBe(2);
    expect(indexWriteUnits(small, indexed('b'))).toBe(2);
    expect(indexWriteUnits(large, undefined)).toBe(2);
    expect(indexWriteUnits(small, { PK: { S: 'P' }, SK: { S: 'S' } })).toBe(1);
    expect(indexWriteUnits(undefined, { ...small, GSI2PK: { S: 'H' }, GSI2SK: { S: 'x' }, GSI3PK: { S: 'I' } })).toBe(2);
  });

  it("splits a call's capacity into read and write units", () => {
    expect(unitsOf('GetItem', { CapacityUnits: 0.5 })).toEqual({ read: 0.5, write: 0 });
    expect(unitsOf('PutItem', { CapacityUnits: 2 })).toEqual({ read: 0, write: 2 });
    expect(unitsOf('TransactWriteItems', [{ CapacityUnits: 8, ReadCapacityUnits: 2, WriteCapacityUnits: 6 }])).toEqual({ read: 2, write: 6 });
    expect(unitsOf('Query', undefined)).toEqual({ read: 0, write: 0 });
  });
});
