// Site labels shown for a session: the mapped site's name, or why there is none.

/** Site label of a session without a mapped site: an IP outside the site map, or no IP at all. */
export const UNMAPPED_SITE = 'unmapped';
export const NO_IP_SITE = 'no IP';

/** Site name, or 'unmapped' (IP not in the site map) or 'no IP'. */
export function siteLabel(ip: string, siteName: string | undefined): string {
  return siteName ?? (ip === '' ? NO_IP_SITE : UNMAPPED_SITE);
}
