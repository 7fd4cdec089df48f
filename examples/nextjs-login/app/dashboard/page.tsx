import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cookieNames } from '../../lib/session';
import { checkAccessToken } from '../../lib/tokens';
import { signOut } from './actions';

export default async function DashboardPage() {
  // proxy.ts has checked (or refreshed) the token already; checking again here keeps the page
  // safe on its own, and gives it the claims.
  const check = await checkAccessToken((await cookies()).get(cookieNames().access)?.value);
  if (!check.ok) redirect('/login');
  const { claims } = check;

  return (
    <main>
      <h1>Dashboard</h1>
      <p>
        Signed in as <strong>{claims.phone_number}</strong>
      </p>
      <dl>
        <dt>User</dt>
        <dd>{claims.sub}</dd>
        <dt>Session</dt>
        <dd>{claims.sid}</dd>
        <dt>Token expires</dt>
        <dd>{new Date((claims.exp ?? 0) * 1000).toISOString()}</dd>
      </dl>
      <form action={signOut}>
        <button type="submit">Sign out</button>
      </form>
    </main>
  );
}
