import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { currentSession } from "../../lib/auth";
import AuthForm from "../../components/AuthForm";

export const metadata = { title: "Sign up · Todo" };

export default async function SignUpPage() {
  if (await currentSession(await headers())) redirect("/");
  return (
    <main id="main" className="narrow">
      <h1>Create your account</h1>
      <AuthForm mode="sign-up" />
    </main>
  );
}
