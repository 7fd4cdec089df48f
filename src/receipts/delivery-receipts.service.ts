import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/errors/domain.error.js';
import { maskPhone } from '../common/phone/phone-number.js';
import { Metrics } from '../metrics/metrics.service.js';
import type { Verification } from '../otp/verification.js';
import { DeliveryReceipt, OpenedVerification, VerificationService } from '../otp/verification.service.js';
import { CodeDelivery } from '../providers/code-delivery.service.js';
import type { Confirmation } from '../providers/otp-message.js';

/**
 * Takes providers' delivery receipts: each is recorded on the verification whose message it
 * names, and the first failure of an open verification resends its code once through the next
 * provider (CodeDelivery's own failover, from the provider after the one that failed).
 */
@Injectable()
export class DeliveryReceipts {
  private readonly logger = new Logger(DeliveryReceipts.name);
  /** Final receipts per provider since start: the delivery ratio gauge. */
  private readonly tallies = new Map<string, { delivered: number; failed: number }>();

  constructor(
    private readonly verifications: VerificationService,
    private readonly delivery: CodeDelivery,
    private readonly metrics: Metrics,
  ) {}

  /** Records each receipt in turn; a store outage throws (the provider retries), a failed resend does not. */
  async take(receipts: DeliveryReceipt[]): Promise<void> {
    for (const receipt of receipts) {
      this.metrics.deliveryReceipts.inc({ provider: receipt.provider, status: receipt.status });
      const recorded = await this.verifications.recordReceipt(receipt);
      // Only receipts recorded on a send count toward its provider's ratio: retries and duplicates do not.
      if (recorded.outcome === 'recorded' || recorded.outcome === 'resend') this.tally(receipt);
      if (recorded.outcome === 'resend') await this.resend(recorded.opened, receipt);
    }
  }

  private async resend(opened: OpenedVerification, failed: DeliveryReceipt): Promise<void> {
    const { verification, code } = opened;
    const from = { channel: verification.channel, provider: failed.provider };
    if (this.delivery.redeliveryPlan(verification.phone, from).length === 0) {
      this.logger.warn(`${failed.provider} did not deliver to ${maskPhone(verification.phone)}, and no other provider can`);
      this.metrics.autoResends.inc({ provider: failed.provider, outcome: 'nowhere' });
      return;
    }
    try {
      const delivered = await this.delivery.redeliver(
        { verificationId: verification.id, sendNumber: verification.sends, phone: verification.phone, code, confirming: confirmationOf(verification) },
        from,
      );
      await this.verifications.markDispatched(opened, delivered);
      this.logger.warn(`${failed.provider} did not deliver to ${maskPhone(verification.phone)}: resent by ${delivered.channel} through ${delivered.provider}`);
      this.metrics.autoResends.inc({ provider: failed.provider, outcome: 'sent' });
    } catch (error) {
      // The receipt itself is recorded; the person can still ask for a code once the cooldown ends.
      if (!(error instanceof DomainError)) throw error;
      this.logger.error(`resending to ${maskPhone(verification.phone)} after ${failed.provider} failed: ${error.code}`);
      this.metrics.autoResends.inc({ provider: failed.provider, outcome: 'failed' });
    }
  }

  private tally({ provider, status }: DeliveryReceipt): void {
    if (status === 'unknown') return;
    const tally = this.tallies.get(provider) ?? { delivered: 0, failed: 0 };
    tally[status] += 1;
    this.tallies.set(provider, tally);
    this.metrics.deliveryRatio.set({ provider }, tally.delivered / (tally.delivered + tally.failed));
  }
}

/** A step-up's text names what it confirms: the same words on the resend (its context is the binding as sent). */
function confirmationOf(verification: Verification): Confirmation | undefined {
  if (verification.purpose !== 'step_up' || verification.context === '') return undefined;
  try {
    const { action, amount, payee } = JSON.parse(verification.context) as { action?: string; amount?: { currency: string; value: string }; payee?: string };
    return { action, payee, amount: amount && `${amount.currency} ${amount.value}` };
  } catch {
    return undefined;
  }
}
