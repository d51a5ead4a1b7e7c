const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');

/** An unsigned-looking JWT (the client never verifies signatures). */
export function makeToken({ sub = 'user-1', exp, name = 'Test User', ...rest } = {}) {
  return `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub, exp, name, ...rest })}.sig`;
}
