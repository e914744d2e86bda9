/**
 * Automated moderation of what people write: review text, seller replies, later listings and messages
 * (DOMAIN.md "Reviews": moderation rejects or escalates with a reason the author can read — offensive
 * language, contact details or links that move trading off the platform, text repeating another review,
 * media that is not what it claims — and never silently drops anything).
 *
 * Every check is a single left-to-right pass or a regex without nested quantifiers, so the screen stays
 * linear in the length of the text: a 5000-character review is untrusted input to a queue worker.
 */
import type { MediaFinding } from './media.js';

/**
 * Strips characters matching `strip` from both ends. A loop, not `/[…]+$/`: that regex retries at every
 * position of a long run in the middle of a word and turns quadratic.
 */
function trimWhere(text: string, stripStart: (char: string) => boolean, stripEnd: (char: string) => boolean = stripStart): string {
  let start = 0;
  let end = text.length;
  while (start < end && stripStart(text[start] ?? '')) start += 1;
  while (end > start && stripEnd(text[end - 1] ?? '')) end -= 1;
  return text.slice(start, end);
}

export type ModerationCode =
  | 'OFFENSIVE_LANGUAGE'
  | 'CONTACT_DETAILS'
  | 'EXTERNAL_LINK'
  | 'DUPLICATE_TEXT'
  | 'SUSPECTED_OFFENSIVE'
  | MediaFinding['code'];

/** Shown to the author, so it says what to fix and never repeats the offending words back. */
export interface ModerationReason {
  code: ModerationCode;
  message: string;
}

export interface Finding extends ModerationReason {
  severity: 'reject' | 'escalate';
}

const textFindings = {
  OFFENSIVE_LANGUAGE: {
    code: 'OFFENSIVE_LANGUAGE',
    severity: 'reject',
    message: 'Remove the offensive language; describe the problem in neutral words.',
  },
  SUSPECTED_OFFENSIVE: {
    code: 'SUSPECTED_OFFENSIVE',
    severity: 'escalate',
    message: 'Your text may contain insults, so a moderator will read it before it is published.',
  },
  EXTERNAL_LINK: {
    code: 'EXTERNAL_LINK',
    severity: 'reject',
    message: 'Remove links and web addresses; other shoppers cannot follow them safely.',
  },
  CONTACT_DETAILS: {
    code: 'CONTACT_DETAILS',
    severity: 'reject',
    message: 'Remove email addresses, phone numbers and messenger contacts; buyers and sellers talk through platform messages.',
  },
  DUPLICATE_TEXT: {
    code: 'DUPLICATE_TEXT',
    severity: 'reject',
    message: 'This text repeats another review; describe your own experience with this item.',
  },
} as const satisfies Record<string, Finding>;

/**
 * The finding for text whose duplicateFingerprint matches another review's. The screen cannot see other
 * reviews, so the worker that compares fingerprints raises it.
 */
export const duplicateTextFinding = (): Finding => ({ ...textFindings.DUPLICATE_TEXT });

// ---------------------------------------------------------------------------------------------------
// Word lists. Entries are stems: the matcher also accepts common endings (plurals, -ed, -er, -ing, -y,
// -head, -hole), letters repeated for emphasis, and look-alike characters. A word matches only as a
// whole token, so "class", "assembly", "Scunthorpe" and "shiitake" are never touched.

/** Strong profanity and slurs: rejected outright. */
export const offensiveWords = [
  'fuck',
  'motherfucker',
  'shit',
  'bullshit',
  'cunt',
  'bitch',
  'ass',
  'bastard',
  'wanker',
  'twat',
  'whore',
  'slut',
  'nigger',
  'faggot',
  'retard',
] as const;

/** Insults aimed at people. "The seller is a liar" can be a fair account of a fake tracking number, so a human decides. */
export const insultWords = [
  'idiot',
  'stupid',
  'moron',
  'imbecile',
  'dumbass',
  'loser',
  'scammer',
  'liar',
  'fraud',
  'fraudster',
  'thief',
  'thieves',
] as const;

const wordEndings = new Set(['', 's', 'es', 'ed', 'er', 'ers', 'ing', 'ings', 'in', 'y', 'ly', 'ic', 'head', 'heads', 'hole', 'holes']);

/** Look-alike characters people use to slip words past filters. */
const lookAlikes: Record<string, string> = { '@': 'a', '4': 'a', '0': 'o', '1': 'i', '!': 'i', '3': 'e', '$': 's', '5': 's', '7': 't' };

interface Run {
  char: string;
  count: number;
}

function runsOf(word: string): Run[] {
  const runs: Run[] = [];
  for (const char of word) {
    const last = runs.at(-1);
    if (last?.char === char) last.count += 1;
    else runs.push({ char, count: 1 });
  }
  return runs;
}

/** Matches a whole word against stems, allowing letters repeated for emphasis ("fuuuck") but not dropped ("as" is not "ass"). */
class StemMatcher {
  private readonly stemsByFirstLetter = new Map<string, Run[][]>();

  constructor(words: readonly string[]) {
    for (const word of words) {
      const stem = runsOf(word);
      const first = stem[0]?.char ?? '';
      this.stemsByFirstLetter.set(first, [...(this.stemsByFirstLetter.get(first) ?? []), stem]);
    }
  }

  matches(runs: readonly Run[]): boolean {
    const stems = this.stemsByFirstLetter.get(runs[0]?.char ?? '') ?? [];
    return stems.some((stem) => {
      if (runs.length < stem.length) return false;
      for (const [index, expected] of stem.entries()) {
        const actual = runs[index];
        if (actual === undefined || actual.char !== expected.char || actual.count < expected.count) return false;
      }
      // An ending keeps its own doubled letters ("assess" stays "ess") and only loses emphasis runs of 3+.
      const ending = runs
        .slice(stem.length)
        .map((run) => (run.count >= 3 ? run.char : run.char.repeat(run.count)))
        .join('');
      return wordEndings.has(ending);
    });
  }
}

const offensive = new StemMatcher(offensiveWords);
const insults = new StemMatcher(insultWords);

/** Lowercase, without accents, zero-width characters or compatibility forms (fullwidth letters, ligatures). */
const foldForWords = (text: string): string =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\p{M}\p{Cf}]/gu, '');

const WORD = /[\p{L}@$!0-9]+/gu;
/** What people put between the letters of a spelled-out word. */
const SPELLING_SEPARATORS = new Set([' ', '.', '-', '_', '*']);
const isEdgeSymbol = (char: string): boolean => char === '@' || char === '$' || char === '!';

const LOOK_ALIKE = /[@$!0-9]/;
function readLookAlikes(form: string, one: string): string {
  let read = '';
  for (const char of form) read += char === '1' ? one : (lookAlikes[char] ?? char);
  return read;
}

/** The readings of one token worth checking: "sh1t!" reads as "shiti" and, with the "!" taken as punctuation, "shit". */
function readingsOf(token: string): string[] {
  if (!LOOK_ALIKE.test(token)) return [token];
  const readings = new Set<string>();
  for (const form of [token, trimWhere(token, isEdgeSymbol)]) {
    if (form === '') continue;
    readings.add(readLookAlikes(form, 'i'));
    // "1" stands for "l" as often as for "i" ("bu11shit").
    if (form.includes('1')) readings.add(readLookAlikes(form, 'l'));
  }
  return [...readings];
}

/** Words of the text as read by the word lists, including words spelled out letter by letter ("f u c k", "s.h.i.t"). */
function* wordsOf(text: string): Generator<string> {
  const folded = foldForWords(text);
  let spelled = '';
  let previousEnd = -1;
  const flushSpelled = function* (): Generator<string> {
    if (spelled.length >= 3) {
      yield spelled;
      // A spelled-out word often follows the article "a" or the pronoun "i", which would otherwise glue on.
      if (spelled.startsWith('a') || spelled.startsWith('i')) yield spelled.slice(1);
    }
    spelled = '';
  };
  for (const match of folded.matchAll(WORD)) {
    const token = match[0];
    const readings = readingsOf(token);
    yield* readings;
    const letter = token.length === 1 ? readings[0] : undefined;
    const adjacent = match.index - previousEnd === 1 && SPELLING_SEPARATORS.has(folded[previousEnd] ?? '');
    if (letter === undefined || !adjacent) yield* flushSpelled();
    if (letter !== undefined) spelled += letter;
    previousEnd = match.index + token.length;
  }
  yield* flushSpelled();
}

// ---------------------------------------------------------------------------------------------------
// Links. A bare domain only counts with a top-level domain people actually send shoppers to, so
// "5.5 inches", "e.g." and "node.js" are not links. Country codes that are English words ("it", "in",
// "me", "is", "to", "co") are left out: "well.it works" is a missing space, not Italy.

const linkTopLevelDomains = new Set([
  'com', 'net', 'org', 'info', 'biz', 'io', 'xyz', 'top', 'shop', 'store', 'online', 'site', 'club', 'link',
  'ru', 'su', 'ua', 'kz', 'cn', 'hk', 'uk', 'de', 'fr', 'nl', 'pl', 'eu', 'cc', 'ly',
]);
/** Messenger short links whose top-level domain ("me") is too common a word to list. */
const messengerLinkHosts = new Set(['t.me', 'wa.me', 'm.me', 'telegram.me']);

/**
 * Addresses written to dodge filters, rewritten as they would be typed: "example(dot)com", "example dot
 * com", "name [at] gmail [dot] com", "name at gmail dot com", "name @ gmail.com". A bare "at" only
 * counts when the domain after it is spelled out too, so "bought it at example.com" stays a link and
 * "arrived at 5 pm" stays text.
 */
const spelledOut = (text: string): string =>
  text
    .replace(/ ?[[({<] ?(at|dot) ?[\])}>] ?/gi, (_, word: string) => (word.toLowerCase() === 'at' ? '@' : '.'))
    .replace(/ @ | @|@ /g, '@')
    .replace(/ at ([a-z0-9-]+) dot /gi, '@$1.')
    .replace(/ dot /gi, '.');

const isDotOrDash = (char: string): boolean => char === '.' || char === '-';
const SCHEME = /\b(?:https?|ftp):\/\/\S/i;
const HOST_LIKE = /[a-z0-9.-]+/gi;
const EMAIL_LOCAL_CHAR = /[a-z0-9._%+-]/i;

function containsLink(text: string): boolean {
  if (SCHEME.test(text)) return true;
  for (const match of text.matchAll(HOST_LIKE)) {
    const host = trimWhere(match[0], isDotOrDash);
    const before = text[match.index - 1];
    // The domain of an email address is reported as contact details, not as a link.
    if (before === '@' && EMAIL_LOCAL_CHAR.test(text[match.index - 2] ?? '')) continue;
    const labels = host.split('.');
    if (labels.length < 2 || labels.some((label) => label === '')) continue;
    const lower = host.toLowerCase();
    if (lower.startsWith('www.') || messengerLinkHosts.has(lower)) return true;
    const topLevel = labels.at(-1) ?? '';
    if (!linkTopLevelDomains.has(topLevel.toLowerCase())) continue;
    // "Great price.Shop again" is a missing space after a full stop, not a shop's website.
    if (labels.length === 2 && /^[A-Z][a-z]+$/.test(topLevel) && /[a-z]$/.test(labels[0] ?? '')) continue;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------
// Contact details.

function containsEmail(text: string): boolean {
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    // Each scan stops at the next "@", so the text is walked at most twice in total.
    let start = at;
    while (start > 0 && EMAIL_LOCAL_CHAR.test(text[start - 1] ?? '')) start -= 1;
    let end = at + 1;
    while (end < text.length && /[a-z0-9.-]/.test(text[end] ?? '')) end += 1;
    const local = trimWhere(text.slice(start, at), (char) => char === '.', () => false);
    const labels = trimWhere(text.slice(at + 1, end), () => false, isDotOrDash).split('.');
    if (local !== '' && labels.length >= 2 && labels.every((label) => label !== '') && /^[a-z]{2,}$/.test(labels.at(-1) ?? '')) {
      return true;
    }
  }
  return false;
}

const isDigit = (char: string | undefined): boolean => char !== undefined && char >= '0' && char <= '9';
const isAlphanumeric = (char: string | undefined): boolean => char !== undefined && /[\p{L}\p{N}]/u.test(char);
const PHONE_SEPARATORS = ' -.()';
const MAX_SEPARATOR_RUN = 3; // " - " and ") " between digit groups; longer gaps end the number.
const isYear = (group: string): boolean => /^(?:19|20)\d\d$/.test(group);
const isDayOrMonth = (group: string): boolean => group.length <= 2;

/** Digit groups left once dates (2024-05-12, 12.05.2024) and year ranges (2023-2024) are taken out. */
function digitsOutsideDates(groups: readonly string[]): number {
  let digits = 0;
  for (let index = 0; index < groups.length; ) {
    const [a = '', b = '', c = ''] = [groups[index], groups[index + 1], groups[index + 2]];
    if ((isYear(a) && isDayOrMonth(b) && isDayOrMonth(c) && c !== '') || (isDayOrMonth(a) && isDayOrMonth(b) && isYear(c))) {
      index += 3;
    } else if (isYear(a) && isYear(b)) {
      index += 2;
    } else {
      digits += a.length;
      index += 1;
    }
  }
  return digits;
}

/** A number glued to what precedes it: a model (XR-2000, A1), a price ($19.99), an order (#1234567) or a version (v1.2). */
const isGluedNumber = (text: string, index: number): boolean => {
  const before = text[index - 1];
  if (before === undefined) return false;
  return isAlphanumeric(before) || '$€£¥₽#№'.includes(before) || ((before === '-' || before === '.') && isAlphanumeric(text[index - 2]));
};

/**
 * A phone number is 7+ digits in groups separated by spaces, dashes, dots or parentheses, optionally
 * after "+". A group glued to letters or symbols (XR-2000, 10x20, 4500mAh, $19.99, #1234567) is not part
 * of one, and neither are dates or one unbroken run of 16+ digits (an order or tracking number). Only
 * the glued group is dropped, so "model A1 555 123 4567" is still caught.
 */
function containsPhoneNumber(text: string): boolean {
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    const next = text[index + 1];
    if (!(isDigit(char) || ((char === '+' || char === '(') && (isDigit(next) || next === '+')))) {
      index += 1;
      continue;
    }
    if (isGluedNumber(text, index)) {
      index += 1;
      while (isDigit(text[index])) index += 1;
      continue;
    }

    const groups: string[] = [];
    let group = '';
    let gap = 0;
    let end = index;
    let cursor = index;
    for (; cursor < text.length; cursor += 1) {
      const current = text[cursor] ?? '';
      if (isDigit(current)) {
        group += current;
        gap = 0;
        end = cursor + 1;
      } else if (PHONE_SEPARATORS.includes(current) || (current === '+' && cursor === index)) {
        if (group !== '') groups.push(group);
        group = '';
        gap += 1;
        if (gap > MAX_SEPARATOR_RUN) break;
      } else {
        break;
      }
    }
    if (group !== '') groups.push(group);
    index = Math.max(cursor, index + 1);

    if (/\p{L}/u.test(text[end] ?? '')) groups.pop();
    const digits = digitsOutsideDates(groups);
    if (digits < 7) continue;
    if (groups.length === 1 && digits > 15) continue;
    return true;
  }
  return false;
}

const messengers = new Set(['whatsapp', 'telegram', 'wechat', 'viber', 'signal', 'skype', 'instagram', 'kakaotalk']);
const MESSENGER_WITH_HANDLE = new RegExp(`^(?:${[...messengers].join('|')})[:@+\\d]`);
/** Also an everyday word in reviews ("Signal: strong"), so it needs "signal me/us …" or "… me on signal". */
const everydayMessengers = new Set(['signal']);
/** Messenger names people split in two ("whats app", "we chat"). */
const splitMessengers = new Map([
  ['whats', 'app'],
  ['we', 'chat'],
]);
const contactVerbs = new Set(['contact', 'message', 'msg', 'text', 'write', 'call', 'reach', 'add', 'find', 'follow', 'dm', 'ping', 'chat', 'talk']);
const contactPrepositions = new Set(['on', 'at', 'via', 'through', 'thru', 'in', 'by', 'using', 'over']);
const contactPronouns = new Set(['me', 'us']);
/** Words between a messenger and the handle that follows it ("telegram me at @shop", "wechat id: lucy"). */
const handleLeadIns = new Set(['me', 'us', 'at', 'on', 'via', 'is', 'no', 'nr', 'number', 'contact', 'id', 'user', 'username', 'handle', 'account', 'name']);
/** After these, whatever comes next is the handle ("wechat id lucy"). */
const handleLabels = new Set(['id', 'user', 'username', 'handle', 'account', 'name']);
const LOOKAHEAD_TOKENS = 5;

const isWordChar = (char: string): boolean => char === '_' || /[\p{L}\p{N}]/u.test(char);
/** The word without surrounding punctuation, keeping the "@" of a handle and the "+" of a phone number. */
const bareWord = (token: string): string =>
  trimWhere(token, (char) => char !== '@' && char !== '+' && !isWordChar(char), (char) => !isWordChar(char));
const looksLikeHandle = (word: string): boolean =>
  /^@[\p{L}\p{N}_.]{2,}$/u.test(word) || (/^[\p{L}\p{N}_.]{3,32}$/u.test(word) && /[\d_]/.test(word));

/** "contact me on telegram", "add us via wechat": a contact verb shortly before "on/via/at <messenger>". */
function isAskedToContactOn(words: readonly string[], messengerIndex: number, everyday: boolean): boolean {
  const preposition = words[messengerIndex - 1] ?? '';
  if (!contactPrepositions.has(preposition)) return false;
  const before = words.slice(Math.max(0, messengerIndex - 4), messengerIndex - 1);
  if (everyday) return contactPronouns.has(before.at(-1) ?? '') && before.some((word) => contactVerbs.has(word));
  return before.some((word) => contactVerbs.has(word));
}

/** A handle or a number of 5+ digits right after the messenger name and its lead-in words. */
function isFollowedByHandle(tokens: readonly string[], words: readonly string[], lastIndex: number, everyday: boolean): boolean {
  let labelled = !everyday && (tokens[lastIndex] ?? '').endsWith(':');
  let ledIn = false;
  let cursor = lastIndex + 1;
  for (; cursor < words.length && cursor <= lastIndex + LOOKAHEAD_TOKENS; cursor += 1) {
    const word = words[cursor] ?? '';
    const token = tokens[cursor] ?? '';
    if (word !== '' && !handleLeadIns.has(word)) break;
    ledIn ||= word !== '';
    labelled ||= handleLabels.has(word) || (!everyday && token.includes(':'));
  }
  const candidate = words[cursor];
  if (candidate === undefined || candidate === '' || (everyday && !ledIn)) return false;
  let digits = 0;
  for (let phone = cursor; phone < tokens.length && /^[\d+\-().]+$/.test(tokens[phone] ?? ''); phone += 1) {
    digits += (tokens[phone] ?? '').replace(/\D/g, '').length;
  }
  return digits >= 5 || looksLikeHandle(candidate) || labelled;
}

/**
 * A messenger named as a way to reach someone: "contact me on telegram", or a messenger followed by a
 * handle or number ("whatsapp +1 555…", "viber: @shop"). A bare mention ("I got a telegram") is fine.
 */
function containsMessengerContact(lowerText: string): boolean {
  const tokens = lowerText.split(' ');
  const words = tokens.map(bareWord);
  for (const [index, word] of words.entries()) {
    const second = words[index + 1];
    const split = second !== undefined && splitMessengers.get(word) === second;
    if (!split && !messengers.has(word)) {
      // "telegram:@shop", "whatsapp+15551234567"
      if (MESSENGER_WITH_HANDLE.test(word)) return true;
      continue;
    }
    const everyday = everydayMessengers.has(word);
    if (isAskedToContactOn(words, index, everyday)) return true;
    if (isFollowedByHandle(tokens, words, split ? index + 1 : index, everyday)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------

/** Runs every text rule; at most one finding per code, in a fixed order. */
export function screenText(text: string): Finding[] {
  const findings: Finding[] = [];
  let rude = false;
  let insulting = false;
  for (const word of wordsOf(text)) {
    const runs = runsOf(word);
    rude ||= offensive.matches(runs);
    insulting ||= insults.matches(runs);
    if (rude && insulting) break;
  }
  if (rude) findings.push({ ...textFindings.OFFENSIVE_LANGUAGE });

  const plain = text.normalize('NFKC').replace(/\p{Cf}/gu, '').replace(/\s+/g, ' ');
  const addresses = spelledOut(plain);
  if (containsLink(addresses)) findings.push({ ...textFindings.EXTERNAL_LINK });
  if (containsEmail(addresses.toLowerCase()) || containsPhoneNumber(plain) || containsMessengerContact(plain.toLowerCase())) {
    findings.push({ ...textFindings.CONTACT_DETAILS });
  }
  if (insulting) findings.push({ ...textFindings.SUSPECTED_OFFENSIVE });
  return findings;
}

/**
 * The text reduced to what a copy-paste keeps: lowercase, no accents, no punctuation, single spaces.
 * The caller hashes it; equal fingerprints mean "the same review".
 */
export function duplicateFingerprint(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\p{M}\p{Cf}]/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const distinctByCode = (findings: readonly Finding[]): ModerationReason[] => {
  const reasons = new Map<ModerationCode, ModerationReason>();
  for (const { code, message } of findings) if (!reasons.has(code)) reasons.set(code, { code, message });
  return [...reasons.values()];
};

/**
 * One outcome from all findings: a single rejection wins, so the author sees every reason at once and fixes
 * them in one edit; otherwise any escalation goes to a human; otherwise the text is published.
 */
export function decideModeration(findings: readonly Finding[]): { outcome: 'PUBLISHED' | 'REJECTED' | 'NEEDS_HUMAN'; reasons: ModerationReason[] } {
  const rejections = findings.filter((finding) => finding.severity === 'reject');
  if (rejections.length > 0) return { outcome: 'REJECTED', reasons: distinctByCode(rejections) };
  const escalations = findings.filter((finding) => finding.severity === 'escalate');
  if (escalations.length > 0) return { outcome: 'NEEDS_HUMAN', reasons: distinctByCode(escalations) };
  return { outcome: 'PUBLISHED', reasons: [] };
}

/** A file that is missing, empty, too large or not what it claims cannot be judged by a human either: all reject. */
export const mediaFindingsAsModeration = (findings: readonly MediaFinding[]): Finding[] =>
  findings.map(({ code, message }) => ({ code, message, severity: 'reject' }));

/** What a private message says instead of the reviews' wording, where the reason reads differently there. */
const messageWording: Partial<Record<ModerationCode, string>> = {
  EXTERNAL_LINK: 'Remove links and web addresses; send photos or PDFs as attachments, so the trade stays on the platform.',
};

/**
 * The reasons a buyer–seller message is refused (DOMAIN.md "Messaging": the same rules as reviews). Only
 * rejections count: no moderator holds a private message, and a suspected insult ("this looks like
 * fraud") must still reach the other side; profanity and slurs are refused like in a review.
 */
export function screenMessage(text: string): ModerationReason[] {
  const rejections = screenText(text).filter((finding) => finding.severity === 'reject');
  return distinctByCode(rejections).map(({ code, message }) => ({ code, message: messageWording[code] ?? message }));
}
