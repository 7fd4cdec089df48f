/** The SMS text for a code we generated. Short, code first, so that phones can offer autofill. */
export function otpText(code: string, ttlSeconds: number): string {
  const minutes = Math.max(1, Math.round(ttlSeconds / 60));
  return `${code} is your verification code. It expires in ${minutes} minute${minutes === 1 ? '' : 's'}. Never share it.`;
}
