const BUCKET_MS = 5 * 60_000;

/** The windows of phone_auth_conversion_ratio, by label. */
export const CONVERSION_WINDOWS = { '1h': 3_600_000, '1d': 86_400_000 } as const;

export interface ConversionRatio {
  country: string;
  window: keyof typeof CONVERSION_WINDOWS;
  /** Verified codes over sent codes; absent for a window without sends. */
  ratio: number;
}

/**
 * Codes sent and verified per country, in 5-minute buckets over the last day, in this process
 * only: behind a load balancer a verify may reach another instance than its send.
 */
export class ConversionWindows {
  private readonly countries = new Map<string, Map<number, { sent: number; verified: number }>>();

  record(country: string, event: 'sent' | 'verified', nowMs: number): void {
    const buckets = this.countries.get(country) ?? new Map<number, { sent: number; verified: number }>();
    this.countries.set(country, buckets);
    const bucket = Math.floor(nowMs / BUCKET_MS);
    // Pruned here too: without scrapes, ratios() would never run and buckets would pile up.
    if (!buckets.has(bucket)) for (const old of buckets.keys()) if (old <= bucket - CONVERSION_WINDOWS['1d'] / BUCKET_MS) buckets.delete(old);
    const counts = buckets.get(bucket) ?? { sent: 0, verified: 0 };
    counts[event] += 1;
    buckets.set(bucket, counts);
  }

  ratios(nowMs: number): ConversionRatio[] {
    const now = Math.floor(nowMs / BUCKET_MS);
    const ratios: ConversionRatio[] = [];
    for (const [country, buckets] of this.countries) {
      for (const bucket of buckets.keys()) if (bucket <= now - CONVERSION_WINDOWS['1d'] / BUCKET_MS) buckets.delete(bucket);
      if (buckets.size === 0) this.countries.delete(country);
      for (const [window, windowMs] of Object.entries(CONVERSION_WINDOWS) as [ConversionRatio['window'], number][]) {
        let sent = 0;
        let verified = 0;
        for (const [bucket, counts] of buckets) {
          if (bucket <= now - windowMs / BUCKET_MS) continue;
          sent += counts.sent;
          verified += counts.verified;
        }
        if (sent > 0) ratios.push({ country, window, ratio: verified / sent });
      }
    }
    return ratios;
  }
}
