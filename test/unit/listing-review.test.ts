import { describe, expect, it } from 'vitest';
import { reviewListing, type ListingToReview } from '../../lambdas/domain/listing-review.js';
import * as products from '../../lambdas/domain/products.js';
import { listingRules } from '../../lambdas/platform/listing-rules.js';

const listing = (overrides: Partial<ListingToReview> = {}): ListingToReview => ({
  title: 'Ceramic pour-over coffee dripper',
  description: 'Hand-glazed ceramic, fits standard #2 filters.',
  price: { amount: 2450, currency: 'USD' },
  category: 'kitchen',
  imageCount: 1,
  ...overrides,
});
const review = (overrides: Partial<ListingToReview> = {}, images: Parameters<typeof reviewListing>[1] = [[]]) => reviewListing(listing(overrides), images, listingRules);
const fields = (overrides: Partial<ListingToReview> = {}) => review(overrides).reasons.map((reason) => `${reason.field}:${reason.code}`);

describe('listing review rules', () => {
  it('approves a listing that breaks no rule', () => {
    expect(review()).toEqual({ outcome: 'APPROVED', reasons: [] });
  });

  it.each([
    [{ title: 'Too short' }, 'title:TITLE_LENGTH'],
    [{ title: 'x'.repeat(201) }, 'title:TITLE_LENGTH'],
    [{ description: '   ' }, 'description:REQUIRED'],
    [{ category: 'weapons' }, 'category:UNKNOWN_CATEGORY'],
    [{ price: { amount: 50, currency: 'USD' } }, 'price:PRICE_OUT_OF_BOUNDS'],
    [{ price: { amount: 300_001, currency: 'USD' } }, 'price:PRICE_OUT_OF_BOUNDS'],
    [{ imageCount: 0 }, 'images:IMAGES_REQUIRED'],
    [{ title: 'REPLICA watch, looks genuine' }, 'title:PROHIBITED_WORDS'],
    [{ description: 'Comes with a knock-off case.' }, 'description:PROHIBITED_WORDS'],
    [{ description: 'Ask me on WhatsApp +1 555 123 4567' }, 'description:CONTACT_DETAILS'],
    [{ description: 'Details at https://example.com/dripper' }, 'description:EXTERNAL_LINK'],
  ])('rejects %o with %s', (overrides, reason) => {
    expect(review(overrides).outcome).toBe('REJECTED');
    expect(fields(overrides)).toContain(reason);
  });

  it('matches prohibited words as whole words only', () => {
    expect(review({ title: 'Fakeless ceramic dripper, real clay' }).outcome).toBe('APPROVED');
    expect(review({ description: 'A pistachio-green glaze.' }).outcome).toBe('APPROVED');
  });

  it('checks each price bound inclusively', () => {
    const { min, max } = listingRules.categories.kitchen?.price.USD ?? { min: 0, max: 0 };
    expect(review({ price: { amount: min, currency: 'USD' } }).outcome).toBe('APPROVED');
    expect(review({ price: { amount: max, currency: 'USD' } }).outcome).toBe('APPROVED');
  });

  it('turns what is wrong with a photo into an images reason naming the photo', () => {
    const result = review({ imageCount: 2 }, [[], [{ code: 'MEDIA_TYPE_MISMATCH', message: 'The file is not a PNG image.' }]]);
    expect(result).toEqual({ outcome: 'REJECTED', reasons: [{ field: 'images', code: 'MEDIA_TYPE_MISMATCH', message: 'Photo 2: The file is not a PNG image.' }] });
  });

  it('leaves a protected brand, or a currency without bounds, to a person — unless a rule already rejects it', () => {
    expect(review({ title: 'Sony wireless headphones' })).toMatchObject({ outcome: 'NEEDS_HUMAN', reasons: [{ field: 'title', code: 'PROTECTED_BRAND' }] });
    expect(review({ price: { amount: 2450, currency: 'JPY' } })).toMatchObject({ outcome: 'NEEDS_HUMAN', reasons: [{ field: 'price', code: 'PRICE_UNCHECKED' }] });
    expect(review({ title: 'Sony headphones replica' }).outcome).toBe('REJECTED');
  });
});

describe('listing versions', () => {
  const T0 = '2026-01-01T00:00:00.000Z';
  const image = { uploadId: 'upl_1', key: 'owned/listing-images/upl_1.abc', contentType: 'image/png' };
  const input = { title: 'Ceramic pour-over coffee dripper', description: 'Ceramic', price: { amount: 2450, currency: 'USD' }, images: [image], category: 'kitchen', guarantee: { returnable: true } };
  const created = products.createListing('prd_1', 'seller-1', input, T0);
  const approved = products.applyReview(created, { version: 0, outcome: 'APPROVED', reasons: [], images: [image], by: null }, T0);

  it('decides only the submission it was asked about, once', () => {
    expect(approved).toMatchObject({ status: 'APPROVED', version: 1, approved: { price: { amount: 2450 } } });
    if (!approved) return;
    expect(products.applyReview(approved, { version: 0, outcome: 'REJECTED', reasons: [], images: [image], by: null }, T0)).toBeUndefined();
    const edited = products.editListing(approved, { ...input, price: { amount: 3100, currency: 'USD' } }, T0);
    expect(products.applyReview(edited, { version: 1, outcome: 'APPROVED', reasons: [], images: [image], by: null }, T0)).toBeUndefined();
  });

  it('snapshots the approved version for orders while an edit waits, and counts rejections', () => {
    if (!approved) throw new Error('not approved');
    const edited = products.editListing(approved, { ...input, price: { amount: 3100, currency: 'USD' } }, T0);
    expect(products.snapshotOf(edited)).toMatchObject({ status: 'APPROVED', price: { amount: 2450 } });
    const rejected = products.applyReview(edited, { version: edited.version, outcome: 'REJECTED', reasons: [], images: [image], by: null }, T0);
    expect(rejected).toMatchObject({ status: 'REJECTED', rejections: 1, approved: { price: { amount: 2450 } } });
    expect(products.snapshotOf(created)).toMatchObject({ status: 'PENDING_REVIEW' });
  });
});
