import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { currentSession } from "../../lib/auth";
import AuthForm from "../../components/AuthForm";

export const metadata = { title: "Sign in · Todo" };

export default async function SignInPage() {
  if (await currentSession(await headers())) redirect("/");
  return (
    <main id="main" className="narrow">
      <h1>Sign in</h1>
      <AuthForm mode="sign-in" />
    </main>
  );
}
