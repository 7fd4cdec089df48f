import { LoginForm } from './login-form';

export default function LoginPage() {
  return (
    <main>
      <h1>Sign in with your phone</h1>
      <LoginForm />
    </main>
  );
}
