/**
 * The listing review's rules (DOMAIN.md "Listings and seller verification"): what the listing-review
 * worker checks before a listing goes up, each failure a reason naming the field to fix. Pure: the
 * worker passes the findings on the images' bytes and the configuration.
 */
import type { CategoryRule } from '../platform/listing-rules.js';
import type { MediaFinding } from './media.js';
import { duplicateFingerprint, screenText } from './moderation.js';
import type { Money } from './money.js';

export interface ReviewReason {
  /** The listing field to fix: `title`, `description`, `price`, `category`, `images`. */
  field: string;
  code: string;
  message: string;
}

export type ReviewOutcome = 'APPROVED' | 'REJECTED' | 'NEEDS_HUMAN';

export interface ListingToReview {
  title: string;
  description: string;
  price: Money;
  category: string;
  imageCount: number;
}

export interface ReviewConfig {
  categories: Readonly<Record<string, CategoryRule>>;
  prohibitedWords: readonly string[];
  protectedBrands: readonly string[];
}

const TITLE_MIN = 10;
const TITLE_MAX = 200;

/** Whole words or phrases, without case, accents or punctuation: "Re-plica" is not "replica", "REPLICA!" is. */
const namesAny = (text: string, phrases: readonly string[]): boolean => {
  const padded = ` ${duplicateFingerprint(text)} `;
  return phrases.some((phrase) => padded.includes(` ${duplicateFingerprint(phrase)} `));
};

/** The reviews' text screen (one implementation), keeping what applies to a listing: links, contacts, abuse. */
const LISTING_TEXT_CODES = new Set(['EXTERNAL_LINK', 'CONTACT_DETAILS', 'OFFENSIVE_LANGUAGE']);
const textReasons = (field: 'title' | 'description', text: string): ReviewReason[] =>
  screenText(text)
    .filter((finding) => LISTING_TEXT_CODES.has(finding.code))
    .map(({ code, message }) => ({ field, code, message }));

/** Every reason the listing cannot go up as it is, and the reasons a person must look at it. */
export function reviewListing(listing: ListingToReview, imageFindings: readonly (readonly MediaFinding[])[], config: ReviewConfig): { outcome: ReviewOutcome; reasons: ReviewReason[] } {
  const rejections: ReviewReason[] = [];
  const title = listing.title.trim();
  if (title.length < TITLE_MIN || title.length > TITLE_MAX) rejections.push({ field: 'title', code: 'TITLE_LENGTH', message: `The title must be ${TITLE_MIN}–${TITLE_MAX} characters.` });
  if (listing.description.trim() === '') rejections.push({ field: 'description', code: 'REQUIRED', message: 'Describe the item.' });
  for (const field of ['title', 'description'] as const) {
    if (namesAny(listing[field], config.prohibitedWords)) rejections.push({ field, code: 'PROHIBITED_WORDS', message: 'Counterfeit or replica goods, weapons and drugs cannot be listed; remove those words or the item.' });
    rejections.push(...textReasons(field, listing[field]));
  }
  const category = config.categories[listing.category];
  const escalations: ReviewReason[] = [];
  if (!category) {
    rejections.push({ field: 'category', code: 'UNKNOWN_CATEGORY', message: `Choose one of: ${Object.keys(config.categories).join(', ')}.` });
  } else {
    const bounds = category.price[listing.price.currency];
    if (!bounds) escalations.push({ field: 'price', code: 'PRICE_UNCHECKED', message: `A person checks ${listing.price.currency} prices in ${category.label}.` });
    else if (listing.price.amount < bounds.min || listing.price.amount > bounds.max) {
      rejections.push({ field: 'price', code: 'PRICE_OUT_OF_BOUNDS', message: `${category.label} prices are between ${bounds.min} and ${bounds.max} (minor units of ${listing.price.currency}).` });
    }
  }
  if (listing.imageCount === 0) rejections.push({ field: 'images', code: 'IMAGES_REQUIRED', message: 'Add at least one photo of the item.' });
  imageFindings.forEach((findings, index) => {
    for (const { code, message } of findings) rejections.push({ field: 'images', code, message: `Photo ${index + 1}: ${message}` });
  });
  if (rejections.length > 0) return { outcome: 'REJECTED', reasons: rejections };
  if (namesAny(listing.title, config.protectedBrands)) {
    escalations.push({ field: 'title', code: 'PROTECTED_BRAND', message: 'The title names a protected brand: a person checks that you may sell it.' });
  }
  return escalations.length > 0 ? { outcome: 'NEEDS_HUMAN', reasons: escalations } : { outcome: 'APPROVED', reasons: [] };
}
