import { connection } from 'next/server';
import { captchaWidget } from '../../lib/captcha';
import { LoginForm } from './login-form';

export default async function LoginPage() {
  // Rendered per request: Next.js puts the request's CSP nonce on its scripts, and the bot
  // check's settings are read at run time, not baked in by `next build`.
  await connection();
  return (
    <main>
      <h1>Sign in with your phone</h1>
      <LoginForm captcha={captchaWidget()} />
    </main>
  );
}
