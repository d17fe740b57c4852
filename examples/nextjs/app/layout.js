import Link from "next/link";
import "./globals.css";

export const metadata = {
  title: "Todo",
  description: "A personal task list: Next.js and Better Auth in front of the Go task API.",
};

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <Link href="/" className="brand">
            Todo
          </Link>
        </header>
        {children}
      </body>
    </html>
  );
}
