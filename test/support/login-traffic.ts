import type { LightMyRequestResponse } from 'fastify';
import { bearer, json, phoneSequence, refreshSession, sendCode, TestApp, verifyCode } from './e2e-kit.js';

// Steady login traffic for the failover suite: several loops, each logging fresh phones in (send
// on one instance, verify on the other, a refresh now and then), every answer timed and kept, so
// a test can say when answers failed and check that no approval was lost or doubled.

/** One answer: what was asked, when (ms since the epoch), and what came back. */
export interface Answer {
  kind: 'send' | 'verify' | 'refresh';
  startedAt: number;
  answeredAt: number;
  status: number;
  code?: string;
}

/** A verify answered 200: the verification it approved and the session it opened. */
export interface Approval {
  phone: string;
  verificationId: string;
  code: string;
  sessionId: string;
  accessToken: string;
  /** The newest refresh token the client holds, undefined once a refresh's outcome is unknown (a 503). */
  refreshToken?: string;
  app: TestApp;
}

let ipCounter = 0;
// Each request from its own client address, so per-IP limits never refuse the traffic.
const nextIp = () => `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter++ & 255}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class LoginTraffic {
  readonly answers: Answer[] = [];
  readonly approvals: Approval[] = [];
  /** Every 200 a verify got, by verification id: more than one would be a doubled approval. */
  readonly approvalsByVerification = new Map<string, number>();
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly sendTurns = new Map<TestApp, Promise<unknown>>();
  private readonly nextPhone: () => string;

  constructor(
    private readonly apps: TestApp[],
    phoneBlock: string,
  ) {
    this.nextPhone = phoneSequence(phoneBlock);
  }

  start(loopCount: number): void {
    this.running = true;
    this.loops = Array.from({ length: loopCount }, (_, i) => this.loop(i));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** The answers that failed: any 5xx. */
  failures(): Answer[] {
    return this.answers.filter((answer) => answer.status >= 500);
  }

  private async loop(index: number): Promise<void> {
    let round = 0;
    while (this.running) {
      const sender = this.apps[(index + round) % this.apps.length];
      const verifier = this.apps[(index + round + 1) % this.apps.length];
      const approval = await this.login(sender, verifier);
      if (approval && round % 2 === 0) await this.refresh(approval, sender);
      round += 1;
      await sleep(5);
    }
  }

  private async timed(kind: Answer['kind'], request: () => Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse> {
    const startedAt = Date.now();
    const response = await request();
    const answer: Answer = { kind, startedAt, answeredAt: Date.now(), status: response.statusCode };
    if (response.statusCode >= 400) answer.code = json(response).code;
    this.answers.push(answer);
    return response;
  }

  /** Sends on one instance take turns, so the code it made last is this send's. */
  private async send(app: TestApp, phone: string): Promise<{ verificationId: string; code: string } | undefined> {
    const turn = (this.sendTurns.get(app) ?? Promise.resolve()).then(async () => {
      const response = await this.timed('send', () => sendCode(app, phone, {}, { remoteAddress: nextIp() }));
      return response.statusCode === 202 ? { verificationId: json(response).verificationId as string, code: app.codes.last } : undefined;
    });
    this.sendTurns.set(app, turn.catch(() => undefined));
    return turn;
  }

  /** Sends (retrying a failed send) and verifies, retrying a failed verify as a client would; the approval if one came. */
  private async login(sender: TestApp, verifier: TestApp): Promise<Approval | undefined> {
    const phone = this.nextPhone();
    let sent: { verificationId: string; code: string } | undefined;
    for (let attempt = 0; attempt < 3 && !sent && this.running; attempt += 1) sent = await this.send(sender, phone);
    if (!sent) return undefined;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await this.timed('verify', () => verifyCode(verifier, sent, {}, { remoteAddress: nextIp() }));
      if (response.statusCode === 200) {
        const body = json(response);
        this.approvalsByVerification.set(sent.verificationId, (this.approvalsByVerification.get(sent.verificationId) ?? 0) + 1);
        const approval: Approval = { phone, ...sent, sessionId: body.sessionId, accessToken: body.accessToken, refreshToken: body.refreshToken, app: verifier };
        this.approvals.push(approval);
        return approval;
      }
      // Only a 503 leaves the outcome open; anything else is the answer.
      if (response.statusCode !== 503) return undefined;
      await sleep(100);
    }
    return undefined;
  }

  private async refresh(approval: Approval, app: TestApp): Promise<void> {
    if (approval.refreshToken === undefined) return;
    const response = await this.timed('refresh', () => refreshSession(app, approval.refreshToken!, {}, { remoteAddress: nextIp() }));
    if (response.statusCode === 200) {
      approval.refreshToken = json(response).refreshToken;
      approval.accessToken = json(response).accessToken;
    } else if (response.statusCode === 503) {
      // The rotation may or may not have happened: a client that retried the old token could trip reuse detection.
      approval.refreshToken = undefined;
    }
  }
}

/** What the lead quotes: when the fault came, the promotion, and the window of failed answers around it. */
export interface FailoverWindows {
  scenario: string;
  faultAt: string;
  /** Fault → the replica reports ROLE master. */
  promotionAfterFaultMs: number;
  /** First failed answer → last failed answer (0 when none failed). */
  failedWindowMs: number;
  /** Promotion → the last failed answer (≤ 0: none failed after the promotion). */
  lastFailureAfterPromotionMs: number;
  /** Fault → the last failed answer. */
  lastFailureAfterFaultMs: number;
  answers: number;
  failed: number;
  failedByKind: Record<string, number>;
  /** Status (and problem code) → count, over every answer. */
  outcomes: Record<string, number>;
  approvals: number;
  /** The slowest answer before the fault (the machine's own noise), and from the fault on. */
  slowestBeforeFaultMs: number;
  slowestAnswerMs: number;
  /** Answers from the fault on slower than slowMs (the command timeout), and the last of them after the promotion. */
  slowAnswers: number;
  lastSlowAfterPromotionMs: number;
  /** Each failed answer: its kind, when it was asked and answered (ms after the promotion). */
  failedAnswers: string[];
}

export function windowsOf(scenario: string, traffic: LoginTraffic, faultAt: number, promotedAt: number, slowMs: number): FailoverWindows {
  const latency = (answer: Answer) => answer.answeredAt - answer.startedAt;
  const latencies = traffic.answers.filter((answer) => answer.answeredAt >= faultAt).map(latency);
  const slow = traffic.answers.filter((answer) => answer.answeredAt >= faultAt && latency(answer) > slowMs);
  const failures = traffic.failures();
  const first = Math.min(...failures.map((answer) => answer.answeredAt));
  const last = Math.max(...failures.map((answer) => answer.answeredAt));
  const count = (keys: string[]) => keys.reduce<Record<string, number>>((counts, key) => ({ ...counts, [key]: (counts[key] ?? 0) + 1 }), {});
  return {
    scenario,
    faultAt: new Date(faultAt).toISOString(),
    promotionAfterFaultMs: promotedAt - faultAt,
    failedWindowMs: failures.length === 0 ? 0 : last - first,
    lastFailureAfterPromotionMs: failures.length === 0 ? 0 : last - promotedAt,
    lastFailureAfterFaultMs: failures.length === 0 ? 0 : last - faultAt,
    answers: traffic.answers.length,
    failed: failures.length,
    failedByKind: count(failures.map((answer) => answer.kind)),
    outcomes: count(traffic.answers.map((answer) => (answer.code ? `${answer.status} ${answer.code}` : String(answer.status)))),
    approvals: traffic.approvals.length,
    slowestBeforeFaultMs: Math.max(0, ...traffic.answers.filter((answer) => answer.answeredAt < faultAt).map(latency)),
    slowestAnswerMs: Math.max(0, ...latencies),
    slowAnswers: slow.length,
    lastSlowAfterPromotionMs: Math.max(-Infinity, ...slow.map((answer) => answer.answeredAt - promotedAt)),
    failedAnswers: failures.map((answer) => `${answer.kind} ${answer.startedAt - promotedAt}→${answer.answeredAt - promotedAt}`),
  };
}

/**
 * After the failover, with the store healthy again: no verification was approved twice (during
 * the run, or by replaying its code now, which would mean the promoted replica never learnt the
 * code was spent), and each approval's session is still there, listed once for its user.
 */
export async function checkApprovals(traffic: LoginTraffic): Promise<{ doubled: string[]; replayedApproved: string[]; lostSessions: string[] }> {
  const doubled = [...traffic.approvalsByVerification].filter(([, count]) => count > 1).map(([id]) => id);
  const replayedApproved: string[] = [];
  const lostSessions: string[] = [];
  for (const approval of traffic.approvals) {
    const replay = await verifyCode(approval.app, { verificationId: approval.verificationId, code: approval.code }, {}, { remoteAddress: nextIp() });
    if (replay.statusCode === 200) replayedApproved.push(approval.verificationId);
    const listed = await approval.app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(approval.accessToken) });
    const sessions = listed.statusCode === 200 ? (json(listed).sessions as { id: string }[]) : [];
    if (sessions.length !== 1 || sessions[0].id !== approval.sessionId) lostSessions.push(`${approval.sessionId}: ${listed.statusCode} ${sessions.length}`);
  }
  return { doubled, replayedApproved, lostSessions };
}
