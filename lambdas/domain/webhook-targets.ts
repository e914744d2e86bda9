/**
 * Where a webhook may point (DOMAIN.md "Notifications", API.md): our servers must never be made to
 * call into a private network, the instance's metadata service or themselves on a user's behalf (SSRF).
 * Pure: the rules for a URL and for one IP address; resolving a host name to its addresses, and checking
 * them again at connect time, is lambdas/platform/outbound-http.ts's work.
 */

/** A URL's or an address's refusal, in words a user can act on (the `errors[]` message of the 400). */
export type TargetRefusal = string;

export interface TargetSetting {
  /**
   * The local host only (a stage setting, never on AWS): `http:` and loopback addresses are allowed, so
   * people and tests can receive deliveries on their own machine.
   */
  allowLoopback: boolean;
}

export const WEBHOOK_URL_MAX_LENGTH = 2048;

/** A URL that passed the rules that need no DNS; its host's addresses are checked next (unless it is one). */
export interface WebhookTarget {
  url: URL;
  /** The host as DNS knows it, or the IP address the URL names (brackets of IPv6 removed). */
  host: string;
  /** Set when the URL names an address instead of a host: no resolution, so nothing can rebind it. */
  address?: string;
}

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.']);

/** The URL rules: https (http only where loopback is allowed), no credentials, a host; not its addresses yet. */
export function webhookTarget(raw: string, setting: TargetSetting): WebhookTarget | { refused: TargetRefusal } {
  if (raw.length > WEBHOOK_URL_MAX_LENGTH) return { refused: `the URL is longer than ${WEBHOOK_URL_MAX_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { refused: 'not an absolute URL' };
  }
  if (url.username !== '' || url.password !== '') return { refused: 'the URL must not carry credentials (user:password@)' };
  // WHATWG parsing already turned the IPv4 spellings (0x7f.1, 2130706433, 0177.0.0.1) into dotted quads.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname.toLowerCase();
  if (host === '') return { refused: 'the URL has no host' };
  const address = parseIPv4(host) !== undefined || parseIPv6(host) !== undefined ? host : undefined;
  const loopbackName = LOOPBACK_NAMES.has(host);
  if (url.protocol === 'http:') {
    const loopback = loopbackName || (address !== undefined && addressRefusal(address, { allowLoopback: false }) === LOOPBACK);
    if (!(setting.allowLoopback && loopback)) return { refused: setting.allowLoopback ? 'http is allowed only to this machine (127.0.0.1, ::1, localhost); use https' : 'the URL must use https' };
  } else if (url.protocol !== 'https:') return { refused: 'the URL must use https' };
  if (loopbackName && !setting.allowLoopback) return { refused: LOOPBACK };
  if (address !== undefined) {
    const refused = addressRefusal(address, setting);
    if (refused) return { refused };
  }
  return { url, host, ...(address !== undefined && { address }) };
}

const LOOPBACK = 'the host is a loopback address (this machine)';

/** An IPv4 range as its first address and prefix length, and why it is refused. */
type V4Range = readonly [base: number, bits: number, reason: TargetRefusal];
const v4 = (dotted: string): number => parseIPv4(dotted) as number;

const V4_REFUSED: readonly V4Range[] = [
  [v4('169.254.169.254'), 32, 'the host is the cloud metadata address'],
  [v4('0.0.0.0'), 8, 'the host is an unspecified address'],
  [v4('10.0.0.0'), 8, 'the host is a private address'],
  [v4('100.64.0.0'), 10, 'the host is a private (carrier-grade NAT) address'],
  [v4('127.0.0.0'), 8, LOOPBACK],
  [v4('169.254.0.0'), 16, 'the host is a link-local address'],
  [v4('172.16.0.0'), 12, 'the host is a private address'],
  [v4('192.0.0.0'), 24, 'the host is a reserved address'],
  [v4('192.168.0.0'), 16, 'the host is a private address'],
  [v4('198.18.0.0'), 15, 'the host is a reserved address'],
  [v4('224.0.0.0'), 4, 'the host is a multicast address'],
  [v4('240.0.0.0'), 4, 'the host is a reserved address'],
];

const inV4 = (address: number, [base, bits]: V4Range): boolean => bits === 0 || address >>> (32 - bits) === base >>> (32 - bits);

function v4Refusal(address: number, setting: TargetSetting): TargetRefusal | undefined {
  const reason = V4_REFUSED.find((range) => inV4(address, range))?.[2];
  return reason === LOOPBACK && setting.allowLoopback ? undefined : reason;
}

/** Why an address (IPv4 dotted quad or IPv6 text) must not be called, or undefined if it may. */
export function addressRefusal(address: string, setting: TargetSetting): TargetRefusal | undefined {
  const four = parseIPv4(address);
  if (four !== undefined) return v4Refusal(four, setting);
  const six = parseIPv6(address);
  if (six === undefined) return 'not an IP address';
  return v6Refusal(six, setting);
}

/** The IPv4 address in the last 32 bits of an IPv6 address. */
const lastV4 = (groups: readonly number[]): number => (((groups[6] as number) << 16) | (groups[7] as number)) >>> 0;

function v6Refusal(groups: readonly number[], setting: TargetSetting): TargetRefusal | undefined {
  const [g0, g1, g2, g3, g4, g5, , g7] = groups as [number, number, number, number, number, number, number, number];
  const zeroUpTo = (n: number) => groups.slice(0, n).every((group) => group === 0);
  if (zeroUpTo(8)) return 'the host is an unspecified address';
  if (zeroUpTo(7) && g7 === 1) return setting.allowLoopback ? undefined : LOOPBACK;
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d, RFC 2765), IPv4-compatible
  // (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach an IPv4 address.
  if (zeroUpTo(5) && g5 === 0xffff) return v4Refusal(lastV4(groups), setting);
  if (zeroUpTo(4) && g4 === 0xffff && g5 === 0) return v4Refusal(lastV4(groups), setting);
  if (zeroUpTo(6)) return v4Refusal(lastV4(groups), setting);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return v4Refusal(lastV4(groups), setting);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'the host is a local-use NAT64 address';
  // 6to4 (2002:a.b.c.d::/48) carries an IPv4 address in bits 16–47.
  if (g0 === 0x2002) return v4Refusal(((g1 << 16) | g2) >>> 0, setting);
  // Teredo (2001::/32) tunnels to an IPv4 client whose address it hides: no telling where it lands.
  if (g0 === 0x2001 && g1 === 0) return 'the host is a Teredo tunnel address';
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return 'the host is a discard-only address';
  if ((g0 & 0xffc0) === 0xfe80) return 'the host is a link-local address';
  if ((g0 & 0xffc0) === 0xfec0) return 'the host is a site-local address';
  if ((g0 & 0xfe00) === 0xfc00) return 'the host is a unique-local (private) address';
  if ((g0 & 0xff00) === 0xff00) return 'the host is a multicast address';
  return undefined;
}

/** A dotted quad of four decimal bytes as a 32-bit number; anything else is undefined. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255)) return undefined;
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

/** IPv6 text (with `::` and an IPv4 tail allowed, no zone) as its eight 16-bit groups; anything else is undefined. */
export function parseIPv6(text: string): number[] | undefined {
  if (!text.includes(':') || text.includes('%')) return undefined;
  let hex = text;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    // An IPv4 tail (::ffff:10.0.0.1) is the last two groups written as a dotted quad.
    const four = parseIPv4(text.slice(lastColon + 1));
    if (four === undefined) return undefined;
    hex = `${text.slice(0, lastColon + 1)}${(four >>> 16).toString(16)}:${(four & 0xffff).toString(16)}`;
  }
  const halves = hex.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    return groups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group)) ? groups.map((group) => parseInt(group, 16)) : undefined;
  };
  const head = groupsOf(halves[0] as string);
  const rest = halves.length === 2 ? groupsOf(halves[1] as string) : [];
  if (head === undefined || rest === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - rest.length;
  return missing >= 1 ? [...head, ...Array<number>(missing).fill(0), ...rest] : undefined;
}
