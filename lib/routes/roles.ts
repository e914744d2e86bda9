/** Who may call a route, named once. */
export const buyer = ['buyer'] as const;
export const seller = ['seller'] as const;
export const admin = ['admin'] as const;
export const parties = ['buyer', 'seller', 'admin'] as const;
