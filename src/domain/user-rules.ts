// cornflow's password policy and e-mail rules (cornflow-platform.md §3.3), with its exact messages.
import { randomInt } from 'node:crypto';
import { disposableEmailBlocklistSet } from 'disposable-email-domains-js';
import { InvalidUsage } from './errors.js';

export const SPECIAL_CHARACTERS = '!¡?¿#$%&\'()*+-_./:;,<>=@[]^`{}|~"\\';

/** Python's str.islower(): has a cased character and no upper-case one. */
function isLower(s: string): boolean {
  return s !== s.toUpperCase() && s === s.toLowerCase();
}
function isUpper(s: string): boolean {
  return s !== s.toLowerCase() && s === s.toUpperCase();
}

/** Throws the first rule the password breaks, in cornflow's order. */
export function checkPasswordPolicy(password: string): void {
  if ([...password].length < 5) throw new InvalidUsage('Password must contain at least 5 characters.');
  // cornflow rejects only all-lower or all-upper passwords; one without letters passes this rule.
  if (isLower(password) || isUpper(password)) throw new InvalidUsage('Password must contain uppercase and lowercase letters.');
  const message = 'Password must contain at least one number and one special character.';
  if (!/\d/.test(password)) throw new InvalidUsage(message);
  if (![...password].some((c) => SPECIAL_CHARACTERS.includes(c))) throw new InvalidUsage(message);
}

// Python re.match: anchored at the start only; `\b` after the TLD.
const EMAIL = /^\b[A-Za-z0-9._-]+@[A-Za-z0-9.-]+\.[A-Z|a-z]{2,}\b/;
let blocklist: Set<string> | undefined;

export function checkEmail(email: string): void {
  if (!EMAIL.test(email)) throw new InvalidUsage('Invalid email address.');
  blocklist ??= disposableEmailBlocklistSet();
  const domain = email.split('@')[1] ?? '';
  if (blocklist.has(domain.toLowerCase())) throw new InvalidUsage('Invalid email address');
}

function sample(pool: string, n: number): string[] {
  const chars = [...pool];
  const out: string[] = [];
  for (let i = 0; i < n && chars.length; i++) out.push(chars.splice(randomInt(chars.length), 1)[0]!);
  return out;
}

/** A random password that satisfies the policy, drawn as cornflow draws it (recover-password). */
export function randomPassword(): string {
  const lower = 'abcdefghijklmnopqrstuvwxyz';
  const upper = lower.toUpperCase();
  const nLower = randomInt(1, 10);
  const nUpper = randomInt(10 - nLower, 12);
  const parts = [...sample(lower, nLower), ...sample(upper, nUpper), ...sample('0123456789', randomInt(1, 4)), ...sample(SPECIAL_CHARACTERS, randomInt(1, 4))];
  for (let i = parts.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [parts[i], parts[j]] = [parts[j]!, parts[i]!];
  }
  return parts.join('');
}
