/**
 * The listing review's configuration (DOMAIN.md "Listings and seller verification": held in
 * configuration, not in the rules): the categories a listing may name with their price bounds, words a
 * listing may not use, and brands a person checks before a listing naming them goes up.
 */
export interface CategoryRule {
  label: string;
  /** Inclusive price bounds in minor units, per currency; a currency not listed is checked by a person. */
  price: Partial<Record<string, { min: number; max: number }>>;
}

const usd = (min: number, max: number) => ({ USD: { min, max }, EUR: { min, max }, GBP: { min, max }, CAD: { min, max }, AUD: { min, max } });

export const listingRules = {
  categories: {
    audio: { label: 'Audio', price: usd(100, 500_000) },
    kitchen: { label: 'Kitchen', price: usd(100, 300_000) },
    electronics: { label: 'Electronics', price: usd(100, 1_000_000) },
    fashion: { label: 'Fashion', price: usd(100, 500_000) },
    home: { label: 'Home', price: usd(100, 500_000) },
    toys: { label: 'Toys', price: usd(100, 100_000) },
    sports: { label: 'Sports', price: usd(100, 500_000) },
    books: { label: 'Books', price: usd(50, 50_000) },
    beauty: { label: 'Beauty', price: usd(100, 100_000) },
  } as Record<string, CategoryRule>,
  /** Counterfeit and replica terms, weapons, drugs: whole words or phrases, matched without case or accents. */
  prohibitedWords: ['counterfeit', 'replica', 'fake', 'knockoff', 'knock off', 'first copy', 'handgun', 'pistol', 'rifle', 'ammunition', 'ammo', 'firearm', 'silencer', 'cocaine', 'heroin', 'methamphetamine', 'cannabis', 'marijuana', 'mdma', 'ecstasy pills'],
  /** A title naming one of these goes to a person: may this seller sell the brand? */
  protectedBrands: ['apple', 'samsung', 'sony', 'nike', 'adidas', 'gucci', 'louis vuitton', 'rolex', 'chanel', 'bose', 'lego', 'dyson'],
} as const;
