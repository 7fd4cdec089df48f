/** The fraud guard's rules, each run as `enforce` (refuses) or `monitor` (logs and counts only). */
export const FRAUD_RULES = ['countries', 'number_types', 'country_budgets', 'prefix_breaker'] as const;
export type FraudRule = (typeof FRAUD_RULES)[number];

export const RULE_MODES = ['enforce', 'monitor'] as const;
export type RuleMode = (typeof RULE_MODES)[number];

/** `phone_auth_fraud_decisions_total`'s decision label. */
export type FraudDecision = 'allowed' | 'refused' | 'would_refuse' | 'safe_listed';

/** `countries=monitor,prefix_breaker=monitor`: every rule not named enforces. */
export function ruleModesOf(entries: readonly string[]): Record<FraudRule, RuleMode> {
  const modes = Object.fromEntries(FRAUD_RULES.map((rule) => [rule, 'enforce'])) as Record<FraudRule, RuleMode>;
  for (const entry of entries) {
    const [rule, mode] = entry.split('=') as [FraudRule, RuleMode];
    modes[rule] = mode;
  }
  return modes;
}

/**
 * FRAUD_SAFE_LIST: full E.164 numbers (`+447700900123`) and prefixes ending in `*`
 * (`+4477009*`, every number starting with `+4477009`).
 */
export class SafeList {
  private readonly numbers: ReadonlySet<string>;
  private readonly prefixes: readonly string[];

  constructor(entries: readonly string[]) {
    this.numbers = new Set(entries.filter((entry) => !entry.endsWith('*')));
    this.prefixes = entries.filter((entry) => entry.endsWith('*')).map((entry) => entry.slice(0, -1));
  }

  has(e164: string): boolean {
    return this.numbers.has(e164) || this.prefixes.some((prefix) => e164.startsWith(prefix));
  }

  get size(): number {
    return this.numbers.size + this.prefixes.length;
  }
}
