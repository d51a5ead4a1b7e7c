/**
 * Reads the claims of a JWT without verifying it: the client only needs `exp` (to refresh in time) and `sub` (to
 * name its storage and primary channel); the hub verifies the signature.
 * @param {string} token
 * @returns {Record<string, any> | null}
 */
export function decodeJwt(token) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length < 2) return null;
  try {
    let b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4) b64 += '=';
    const binary = atob(b64);
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    const json = new TextDecoder().decode(bytes);
    const claims = JSON.parse(json);
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

/** @param {string} token @returns {number | null} expiry in ms since the epoch, or null when the token has none */
export function tokenExpiresAt(token) {
  const claims = decodeJwt(token);
  return claims && typeof claims.exp === 'number' ? claims.exp * 1000 : null;
}

/** @param {string} token @returns {string | null} */
export function tokenSubject(token) {
  const claims = decodeJwt(token);
  return claims && typeof claims.sub === 'string' ? claims.sub : null;
}
