// The pasted token lives in sessionStorage only: it leaves with the tab, and no page URL keeps it.
const KEY = 'verity.token';

export function token() {
  return sessionStorage.getItem(KEY);
}

export function signIn(raw) {
  const value = raw.trim().replace(/^Bearer\s+/i, '');
  const claims = decode(value);
  sessionStorage.setItem(KEY, value);
  return claims;
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

/**
 * What the token says about its holder, read from its payload for display and for hiding what the
 * scopes do not allow. The API checks the signature; this never decides access on its own.
 */
export function claims() {
  const value = token();
  if (!value) return null;
  try {
    return decode(value);
  } catch {
    return null;
  }
}

function decode(value) {
  const parts = value.split('.');
  if (parts.length !== 3) throw new Error('A token has three parts separated by dots (header.payload.signature).');
  let payload;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - base64.length % 4) % 4);
    const bytes = Uint8Array.from(atob(padded), c => c.charCodeAt(0));
    payload = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new Error('The token\'s payload is not base64url-encoded JSON.');
  }
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
  return {
    subject: payload.sub ?? '',
    tenant: payload.tenant_id ?? '',
    scopes,
    expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null,
  };
}

export function has(scope) {
  const c = claims();
  return !!c && c.scopes.includes(scope);
}

export function hasAny(...scopes) {
  return scopes.some(has);
}
