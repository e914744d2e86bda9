import { describe, expect, it } from 'vitest';
import { addressRefusal, parseIPv4, parseIPv6, webhookTarget } from '../../lambdas/domain/webhook-targets.js';

const aws = { allowLoopback: false };
const local = { allowLoopback: true };
const refusal = (url: string, setting = aws) => {
  const target = webhookTarget(url, setting);
  return 'refused' in target ? target.refused : undefined;
};

describe('webhook URL rules', () => {
  it('accepts an https URL naming a host or a public address', () => {
    expect(refusal('https://hooks.example.com/aftersale?x=1')).toBeUndefined();
    expect(refusal('https://203.0.113.10:8443/hook')).toBeUndefined();
    expect(refusal('https://[2001:db8::1]/hook')).toBeUndefined();
    expect(webhookTarget('https://Hooks.Example.com/a', aws)).toMatchObject({ host: 'hooks.example.com' });
    expect(webhookTarget('https://[2001:db8::1]/a', aws)).toMatchObject({ host: '2001:db8::1', address: '2001:db8::1' });
  });

  it.each([
    ['http://hooks.example.com/', /https/],
    ['ftp://hooks.example.com/', /https/],
    ['hooks.example.com/path', /absolute URL/],
    ['https://user:pass@hooks.example.com/', /credentials/],
    ['https://user@hooks.example.com/', /credentials/],
    ['https://169.254.169.254/latest/meta-data/', /metadata/],
    ['https://10.1.2.3/', /private/],
    ['https://172.16.0.1/', /private/],
    ['https://172.31.255.255/', /private/],
    ['https://192.168.1.1/', /private/],
    ['https://100.64.0.1/', /private/],
    ['https://127.0.0.1/', /loopback/],
    ['https://127.8.9.10/', /loopback/],
    ['https://localhost/', /loopback/],
    ['https://169.254.10.10/', /link-local/],
    ['https://0.0.0.0/', /unspecified/],
    ['https://224.0.0.1/', /multicast/],
    ['https://255.255.255.255/', /reserved/],
    // Other spellings of loopback and metadata that URL parsing normalizes.
    ['https://2130706433/', /loopback/],
    ['https://0x7f.1/', /loopback/],
    ['https://0251.0376.0251.0376/', /metadata/],
    ['https://[::1]/', /loopback/],
    ['https://[::]/', /unspecified/],
    ['https://[fe80::1]/', /link-local/],
    ['https://[fd00::1]/', /unique-local/],
    ['https://[fc00::1]/', /unique-local/],
    ['https://[ff02::1]/', /multicast/],
    ['https://[::ffff:169.254.169.254]/', /metadata/],
    ['https://[::ffff:10.0.0.1]/', /private/],
    ['https://[::ffff:7f00:1]/', /loopback/],
    ['https://[64:ff9b::a9fe:a9fe]/', /metadata/],
    ['https://[64:ff9b::192.168.0.1]/', /private/],
    ['https://[2002:a00:1::]/', /private/],
  ])('refuses %s', (url, reason) => {
    expect(refusal(url)).toMatch(reason);
  });

  it('allows loopback over http only where the setting allows it (the local host)', () => {
    expect(refusal('http://127.0.0.1:4000/hook', local)).toBeUndefined();
    expect(refusal('http://localhost:4000/hook', local)).toBeUndefined();
    expect(refusal('http://[::1]:4000/hook', local)).toBeUndefined();
    expect(refusal('http://127.0.0.1:4000/hook')).toMatch(/https/);
    expect(refusal('https://127.0.0.1:4000/hook')).toMatch(/loopback/);
    // The allowance is loopback only: private and metadata addresses stay refused, and http elsewhere too.
    expect(refusal('http://10.0.0.1/hook', local)).toMatch(/only to this machine/);
    expect(refusal('https://169.254.169.254/', local)).toMatch(/metadata/);
    expect(refusal('http://hooks.example.com/', local)).toMatch(/only to this machine/);
  });
});

describe('addresses', () => {
  it('parses IPv4 dotted quads only', () => {
    expect(parseIPv4('192.168.0.1')).toBe(0xc0a80001);
    expect(parseIPv4('256.0.0.1')).toBeUndefined();
    expect(parseIPv4('01.2.3.4')).toBeUndefined();
    expect(parseIPv4('1.2.3')).toBeUndefined();
  });

  it('parses IPv6 with :: and an IPv4 tail', () => {
    expect(parseIPv6('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('fe80::1:2')).toEqual([0xfe80, 0, 0, 0, 0, 0, 1, 2]);
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIPv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIPv6('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(parseIPv6('1::2::3')).toBeUndefined();
    expect(parseIPv6('fe80::1%eth0')).toBeUndefined();
  });

  it('judges resolved addresses like literal ones', () => {
    expect(addressRefusal('93.184.216.34', aws)).toBeUndefined();
    expect(addressRefusal('2606:2800:220:1:248:1893:25c8:1946', aws)).toBeUndefined();
    expect(addressRefusal('169.254.169.254', local)).toMatch(/metadata/);
    expect(addressRefusal('127.0.0.1', local)).toBeUndefined();
    expect(addressRefusal('127.0.0.1', aws)).toMatch(/loopback/);
    expect(addressRefusal('not-an-address', aws)).toMatch(/not an IP/);
  });

  it('refuses the IPv6 forms that reach IPv4 or nowhere: translated, Teredo, discard-only', () => {
    expect(addressRefusal('::ffff:0:10.0.0.1', aws)).toMatch(/private/);
    expect(addressRefusal('::ffff:0:7f00:1', aws)).toMatch(/loopback/);
    expect(addressRefusal('::ffff:0:93.184.216.34', aws)).toBeUndefined();
    expect(addressRefusal('::ffff:0:0', aws)).toMatch(/unspecified/);
    expect(addressRefusal('2001:0:4136:e378:8000:63bf:3fff:fdd2', aws)).toMatch(/Teredo/);
    expect(addressRefusal('2001:db8::1', aws)).toBeUndefined();
    expect(addressRefusal('100::1', aws)).toMatch(/discard-only/);
    expect(addressRefusal('100:0:0:1::1', aws)).toBeUndefined();
    expect(refusal('https://[2001::1]/hook')).toMatch(/Teredo/);
  });
});
